package dev.flotilla.core;

import java.util.Map;
import java.util.function.Supplier;

import io.helidon.health.HealthCheck;
import io.helidon.health.HealthCheckResponse;
import io.helidon.health.HealthCheckType;

/**
 * A readiness check that is always up and reports details: what is degraded around the service (open breakers, a
 * refused configuration value) shows in {@code /health/ready} without taking the service out of rotation.
 */
final class DetailsCheck implements HealthCheck {
    private final String name;
    private final Supplier<? extends Map<String, ?>> details;

    DetailsCheck(String name, Supplier<? extends Map<String, ?>> details) {
        this.name = name;
        this.details = details;
    }

    @Override
    public HealthCheckType type() {
        return HealthCheckType.READINESS;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponse.Builder response = HealthCheckResponse.builder().status(true);
        details.get().forEach(response::detail);
        return response.build();
    }
}
