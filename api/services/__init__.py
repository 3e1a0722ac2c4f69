"""Services of the slot service: all rules live here, routes only translate HTTP.

Every public method takes keyword-only arguments and raises only ``api.errors.ServiceError``
subclasses (tree drawn in ``api.errors``). Each method runs in one database transaction, or
in one statement (``api.db.Database.autocommit``), so a refused request is rolled back whole.
"""
