"""The exception tree. Catch GeoError only at the edges (CLI, app)."""


class GeoError(Exception):
    """Root of every error we raise on purpose."""


class ArticleError(GeoError, ValueError):
    """Article empty, binary, undecodable or too big."""


class FetchError(ArticleError):
    """A URL could not be downloaded."""


class GazetteerError(GeoError):
    """Gazetteer missing or unreadable; message says how to build it."""


class ResolveError(GeoError):
    """The geocoder failed (timeout, refused), not 'no match'."""


class StoreError(GeoError):
    """Database unusable, e.g. written by a newer schema."""


class BudgetError(ArticleError):
    """An article took more time or memory to geoparse than its budget."""
