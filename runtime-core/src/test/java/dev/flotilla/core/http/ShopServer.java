package dev.flotilla.core.http;

import dev.flotilla.core.Service;

/** A caller: tests use its context's clients, which find catalog instances in the same runtime. */
final class ShopServer extends Service {
    ShopServer() {
        super("shop-service", "1.0.0");
    }
}
