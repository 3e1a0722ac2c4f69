"""Services of the slot service: the rules live here and in the database functions they call
(the hold and the booking: migrations 0002, 0003); routes only translate HTTP.

Every public method takes keyword-only arguments and raises only ``api.errors.ServiceError``
subclasses (tree drawn in ``api.errors``). Each method runs in one database transaction, or
in one statement (``api.db.Database.autocommit``), so a refused request is rolled back whole.
"""
