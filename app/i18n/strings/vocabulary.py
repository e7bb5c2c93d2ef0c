"""The catalog's own words: genres (stored in Spanish, the catalog's language), maturity ratings."""

STRINGS: dict[str, tuple[str, str]] = {
    'genre.Acción': ('Acción', 'Action'),
    'genre.Animación': ('Animación', 'Animation'),
    'genre.Aventura': ('Aventura', 'Adventure'),
    'genre.Ciencia ficción': ('Ciencia ficción', 'Science fiction'),
    'genre.Comedia': ('Comedia', 'Comedy'),
    'genre.Documental': ('Documental', 'Documentary'),
    'genre.Drama': ('Drama', 'Drama'),
    'genre.Fantasía': ('Fantasía', 'Fantasy'),
    'genre.Misterio': ('Misterio', 'Mystery'),
    'genre.Musical': ('Musical', 'Musical'),
    'genre.Romance': ('Romance', 'Romance'),
    'genre.Suspense': ('Suspense', 'Thriller'),
    'genre.Terror': ('Terror', 'Horror'),
    'genre.Familiar': ('Familiar', 'Family'),
    'rating.all': ('Todos los públicos', 'All ages'),
    'rating.7': ('+7', '7+'),
    'rating.12': ('+12', '12+'),
    'rating.16': ('+16', '16+'),
    'rating.18': ('+18', '18+'),
}
