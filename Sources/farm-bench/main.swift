// Coordinator throughput benchmark (see README, "Farm").
