package dev.flotilla.benchmarks.startup;

import io.helidon.http.media.MediaContext;
import io.helidon.webserver.WebServer;

/**
 * A bare Helidon SE server with one route ({@code GET /hello}), on a loopback port given as the first argument: the
 * raw building block a service process's start is compared with. Nothing is discovered from the class path (no
 * features, no media supports), so on a service's class path it loads what a bare server needs and nothing more.
 *
 * <pre>
 * java -cp "benchmarks/target/classes:sample-system/user-service/target/lib/*" \
 *     dev.flotilla.benchmarks.startup.BareServer 8080
 * </pre>
 */
public final class BareServer {
    private BareServer() {
    }

    /**
     * Starts the server; it runs until the process is stopped.
     *
     * @param args the port
     */
    public static void main(String[] args) {
        start(Integer.parseInt(args[0]));
    }

    /** Starts the bare server on 127.0.0.1 and the port (0 for an ephemeral one). */
    static WebServer start(int port) {
        return WebServer.builder()
                .featuresDiscoverServices(false)
                .mediaContext(MediaContext.builder().mediaSupportsDiscoverServices(false).build())
                .host("127.0.0.1")
                .port(port)
                .routing(r -> r.get("/hello", (req, res) -> res.send("hello")))
                .build()
                .start();
    }
}
