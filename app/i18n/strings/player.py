"""Strings of the player and its messages."""

STRINGS: dict[str, tuple[str, str]] = {
    'watch.back': ('Volver', 'Back'),
    'watch.resumed_at': ('Continuando desde {time}.', 'Resuming from {time}.'),
    'watch.start_over': ('Empezar desde el principio', 'Start from the beginning'),
    'watch.quality': ('Calidad {quality} · {height}p', 'Quality {quality} · {height}p'),
    'watch.load_error': ('No se pudo cargar el vídeo.', 'The video could not be loaded.'),
    'watch.keys': (
        'Espacio/K reproducir · ←/→ 10 s · F pantalla completa · M silencio',
        'Space/K play · ←/→ 10 s · F fullscreen · M mute',
    ),
    'watch.stopped_plan': (
        'Tu plan ha cambiado: este título ya no está incluido.',
        'Your plan has changed: this title is no longer included.',
    ),
    'watch.stopped_elsewhere': (
        'La reproducción se detuvo desde otra pantalla.',
        'Playback was stopped from another screen.',
    ),
    'watch.screens_full': (
        'Estás usando {used} de {limit} pantallas de tu plan a la vez.',
        'You are using {used} of the {limit} screens your plan allows at once.',
    ),
    'watch.stop_others': ('Detener las otras pantallas y ver aquí', 'Stop the other screens and watch here'),
}
