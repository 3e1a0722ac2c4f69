"""HTTP routes: thin translations between the contract's JSON and the services."""
