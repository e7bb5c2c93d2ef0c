"""Strings of the catalog's search, filters and the home rows' links into it."""

STRINGS: dict[str, tuple[str, str]] = {
    'catalog.sort.relevance': ('Relevancia', 'Relevance'),
    'search.clear_filters': ('Quitar filtros', 'Clear filters'),
    'search.none_for': ('Nada coincide con «{query}».', 'Nothing matches “{query}”.'),
    'home.see_all': ('Ver todo', 'See all'),
    'home.see_all_label': ('Ver todo: {genre}', 'See all: {genre}'),
    'home.scroll_left': ('Desplazar {genre} a la izquierda', 'Scroll {genre} left'),
    'home.scroll_right': ('Desplazar {genre} a la derecha', 'Scroll {genre} right'),
}
