"""Tenants, routing and provisioning: the only part of Klustera that knows about databases."""
