// Metadata: see the module's issue. Placeholder until it lands.
