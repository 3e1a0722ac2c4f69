"""HTTP routes: thin translations between the contract's JSON and the services.

Routes add no exception of their own to the tree drawn in ``api.errors``; they raise only
``InvalidRequest`` (a lookup without proof) and the auth errors, and ``api.app`` turns every
``ServiceError`` into its JSON body and status::

    ServiceError ──(api.app handler)──> {"error_id", "message", "details"}, status
    RequestValidationError ───────────> validation-error, 422
    HTTPException (unknown path) ─────> not-found / method-not-allowed
"""
