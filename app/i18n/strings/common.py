"""Strings shared by every screen: the brand, navigation, languages, common buttons and generic errors."""

STRINGS: dict[str, tuple[str, str]] = {
    'brand': ('Butaca', 'Butaca'),
    'tagline': ('Tus películas y series, en tu propio servidor.', 'Your films and series, on your own server.'),
    'nav.home': ('Inicio', 'Home'),
    'nav.catalog': ('Catálogo', 'Catalog'),
    'nav.profile': ('Perfil', 'Profile'),
    'nav.logout': ('Cerrar sesión', 'Sign out'),
    'nav.language': ('Idioma', 'Language'),
    'lang.es': ('Español', 'Español'),
    'lang.en': ('English', 'English'),
    'a11y.skip': ('Saltar al contenido', 'Skip to content'),
    'forms.show_password': ('Mostrar la contraseña', 'Show password'),
    'forms.hide_password': ('Ocultar la contraseña', 'Hide password'),
    'time.now': ('ahora', 'just now'),
    'common.cancel': ('Cancelar', 'Cancel'),
    'common.confirm': ('Confirmar', 'Confirm'),
    'errors.user_not_found': ('La cuenta ya no existe.', 'The account no longer exists.'),
    'errors.not_found_title': ('No encontrado', 'Not found'),
    'errors.page_not_found': (
        'Esta página no existe. Puede que el enlace esté mal o que la página se haya movido.',
        'This page does not exist. The link may be wrong, or the page may have moved.',
    ),
    'errors.server_title': ('Algo ha fallado', 'Something went wrong'),
    'errors.server_text': (
        'No hemos podido abrir esta página. Vuelve a intentarlo en un momento.',
        'We could not open this page. Please try again in a moment.',
    ),
    'errors.busy': (
        'Hay mucha gente entrando ahora mismo. Inténtalo de nuevo en un momento.',
        'A lot of people are signing in right now. Try again in a moment.',
    ),
    'errors.generic': ('Algo ha fallado. Inténtalo de nuevo.', 'Something went wrong. Please try again.'),
    'errors.bad_progress': ('Posición de reproducción no válida.', 'Invalid playback position.'),
    # Butaca's connection notice, on every page (app/static/connection_notice.js).
    'connection.lost': ('Sin conexión con el servidor. Reintentando…', 'No connection to the server. Retrying…'),
    'connection.back': ('Conexión recuperada', 'Connection restored'),
    'connection.waiting': (
        'Esperando al servidor para abrir la página…',
        'Waiting for the server to open the page…',
    ),
}
