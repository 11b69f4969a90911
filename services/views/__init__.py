"""Staff and member pages for service work, one module per area; each module lists its own urlpatterns."""
