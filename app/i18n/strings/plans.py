"""Strings of the plans: comparison, upgrade and downgrade, and the refusals they cause."""

STRINGS: dict[str, tuple[str, str]] = {
    'plan.FREE': ('Gratis', 'Free'),
    'plan.PREMIUM': ('Premium', 'Premium'),
    'plan.compare': ('Comparar planes', 'Compare plans'),
    'plan.titles': ('Títulos', 'Titles'),
    'plan.quality': ('Calidad', 'Quality'),
    'plan.screens': ('Pantallas a la vez', 'Screens at once'),
    'plan.titles.FREE': ('Catálogo gratuito', 'Free catalog'),
    'plan.titles.PREMIUM': ('Todo el catálogo', 'The whole catalog'),
    'plan.quality.FREE': ('SD (480p)', 'SD (480p)'),
    'plan.quality.PREMIUM': ('HD (720p)', 'HD (720p)'),
    'plan.upgrade': ('Mejorar a Premium', 'Upgrade to Premium'),
    'plan.downgrade': ('Pasar a Gratis', 'Switch to Free'),
    'plan.locked_title': ('«{title}» es un título Premium', '“{title}” is a Premium title'),
    'plan.locked_text': (
        'Mejora tu plan para verlo en HD, en hasta {screens} pantallas a la vez.',
        'Upgrade your plan to watch it in HD, on up to {screens} screens at once.',
    ),
    'plan.confirm_upgrade': (
        '¿Pasar a Premium? Es una demostración: no se cobra nada.',
        'Switch to Premium? This is a demo: no payment is taken.',
    ),
    'plan.confirm_downgrade': (
        '¿Pasar al plan Gratis? Pierdes los títulos Premium y el HD al instante.',
        'Switch to the Free plan? You lose Premium titles and HD at once.',
    ),
    'plan.changed': ('Tu plan ahora es {plan}.', 'Your plan is now {plan}.'),
    'plan.no_payment': ('No se realiza ningún pago real.', 'No real payment is taken.'),
    'plan.quality_denied': ('Tu plan no incluye esa calidad.', 'Your plan does not include that quality.'),
    'plan.upgrade_to_watch': ('Mejora tu plan para verlo', 'Upgrade to watch'),
}
