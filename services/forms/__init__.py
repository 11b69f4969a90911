"""Forms for service work, one module per area (activities, attendance, teams, imports)."""
