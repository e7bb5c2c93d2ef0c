"""Strings of series: episode codes, the details page of a series, its episode list and marks."""

STRINGS: dict[str, tuple[str, str]] = {
    'series.code': ('T{season}:E{number}', 'S{season}:E{number}'),
    'series.season': ('Temporada {number}', 'Season {number}'),
    'series.seasons_count': ('{count} temporadas', '{count} seasons'),
    'series.one_season': ('1 temporada', '1 season'),
    'series.episodes': ('Episodios', 'Episodes'),
    'series.season_picker': ('Elegir temporada', 'Choose a season'),
    'series.play': ('Reproducir {code}', 'Play {code}'),
    'series.resume': ('Reanudar {code}', 'Resume {code}'),
    'series.watch_again': ('Volver a ver {code}', 'Watch {code} again'),
    'series.left': ('quedan {minutes} min', '{minutes} min left'),
    'series.watched': ('Visto', 'Watched'),
    'series.mark_watched': ('Marcar como visto', 'Mark as watched'),
    'series.mark_unwatched': ('Marcar como no visto', 'Mark as unwatched'),
    'series.mark_season_watched': ('Marcar la temporada como vista', 'Mark the season as watched'),
    'series.mark_season_unwatched': ('Marcar la temporada como no vista', 'Mark the season as unwatched'),
    'series.mark_series_watched': ('Marcar la serie como vista', 'Mark the series as watched'),
    'series.mark_series_unwatched': ('Marcar la serie como no vista', 'Mark the series as unwatched'),
    'series.marked': ('Hecho: {what}', 'Done: {what}'),
    'series.no_episodes': ('Esta serie aún no tiene episodios.', 'This series has no episodes yet.'),
    'series.episode_actions': ('Más acciones para {code}', 'More actions for {code}'),
}
