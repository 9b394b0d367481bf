"""The admin API for contact-point staff, under /admin/api (see docs in the OpenAPI schema)."""
