"""Strings of the sign-in and registration screens and their validation messages."""

STRINGS: dict[str, tuple[str, str]] = {
    'login.title': ('Iniciar sesión', 'Sign in'),
    'login.subtitle': ('Bienvenido de nuevo. Entra para seguir viendo.', 'Welcome back. Sign in to keep watching.'),
    'login.username': ('Usuario', 'Username'),
    'login.password': ('Contraseña', 'Password'),
    'login.submit': ('Entrar', 'Sign in'),
    'login.no_account': ('¿Nuevo en Butaca?', 'New to Butaca?'),
    'login.go_register': ('Crea una cuenta', 'Create an account'),
    'login.all_required': ('Escribe tu usuario y tu contraseña.', 'Enter your username and your password.'),
    'login.username_required': ('Escribe tu usuario.', 'Enter your username.'),
    'login.password_required': ('Escribe tu contraseña.', 'Enter your password.'),
    'login.failed': ('El usuario o la contraseña no son correctos.', 'The username or the password is not correct.'),
    'login.throttled': (
        'Demasiados intentos fallidos. Vuelve a intentarlo en {minutes} min.',
        'Too many failed attempts. Try again in {minutes} min.',
    ),
    'login.welcome': ('¡Hola, {username}! Qué bueno verte.', 'Hi, {username}! Good to see you.'),
    'login.logged_out': ('Has cerrado sesión. ¡Hasta pronto!', 'You have signed out. See you soon!'),
    'login.session_ended': (
        'Tu sesión ha terminado. Vuelve a entrar.',
        'Your session has ended. Please sign in again.',
    ),
    'register.title': ('Crear cuenta', 'Create account'),
    'register.subtitle': (
        'Gratis. Sin tarjeta. Mejora a Premium cuando quieras.',
        'Free. No card. Upgrade to Premium whenever you like.',
    ),
    'register.username': ('Usuario', 'Username'),
    'register.username_hint': ('3–32 letras, números, _ . -', '3–32 letters, digits, _ . -'),
    'register.password': ('Contraseña', 'Password'),
    'register.password_hint': ('Mínimo 8 caracteres', 'At least 8 characters'),
    'register.confirm': ('Repite la contraseña', 'Repeat the password'),
    'register.submit': ('Crear cuenta', 'Create account'),
    'register.have_account': ('¿Ya tienes cuenta?', 'Already have an account?'),
    'register.go_login': ('Inicia sesión', 'Sign in'),
    'register.all_required': ('Rellena todos los campos.', 'Fill in every field.'),
    'register.username_required': ('Escribe un nombre de usuario.', 'Enter a username.'),
    'register.password_required': ('Escribe una contraseña.', 'Enter a password.'),
    'register.confirm_required': ('Repite la contraseña para confirmarla.', 'Repeat the password to confirm it.'),
    'register.username_format': (
        'El usuario debe tener entre {min} y {max} caracteres: letras, números, _ . -',
        'The username must be {min} to {max} characters: letters, digits, _ . -',
    ),
    'register.username_taken': ('Ese nombre de usuario ya está en uso.', 'That username is already taken.'),
    'register.password_short': (
        'La contraseña debe tener al menos {min} caracteres.',
        'The password must be at least {min} characters long.',
    ),
    'register.password_long': (
        'La contraseña no puede ocupar más de {max} bytes.',
        'The password cannot be longer than {max} bytes.',
    ),
    'register.password_format': (
        'La contraseña tiene caracteres que no son válidos.',
        'The password has characters that are not valid.',
    ),
    'register.mismatch': ('Las contraseñas no coinciden.', 'The passwords do not match.'),
    'register.welcome': ('¡Bienvenido a Butaca, {username}!', 'Welcome to Butaca, {username}!'),
    'register.throttled': (
        'Se han creado demasiadas cuentas desde esta red. Vuelve a intentarlo en {minutes} min.',
        'Too many accounts were created from this network. Try again in {minutes} min.',
    ),
    'register.too_many_here': (
        'Ya has creado varias cuentas desde esta página. Vuelve a cargarla si necesitas otra.',
        'You have already created several accounts from this page. Reload it if you need another.',
    ),
}
