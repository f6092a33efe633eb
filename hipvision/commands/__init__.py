"""CLI sub-commands, one module each. Every module exposes ``register(app)``."""

from hipvision.commands import circles, extract, history, models, report, rotation, session

COMMAND_MODULES = (models, extract, rotation, circles, session, report, history)
