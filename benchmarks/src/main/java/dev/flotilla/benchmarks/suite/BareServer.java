package dev.flotilla.benchmarks.suite;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

import io.helidon.webserver.WebServer;

/**
 * The raw side of scenario 9: a bare Helidon SE WebServer with one route, {@code GET /health/ready} answering
 * {@code 200 ok}, run as its own process. No features discovered from the classpath (on the benchmark's classpath
 * the builder would otherwise add Helidon's observability), and nothing else: no configuration files, no logging
 * set-up beyond the JDK's.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar dev.flotilla.benchmarks.suite.BareServer PORT [--training-run]
 * </pre>
 *
 * <p>It uses nothing but Helidon and the JDK: {@link ServiceStartScenario} runs it from a jar of this class alone
 * followed by the sample service's {@code lib/*.jar}.
 *
 * <p>With {@code --training-run} it asks its own route once it is up, stops and exits 0, so that
 * {@code -XX:AOTCacheOutput} can train an AOT cache for it, as {@code --flotilla.training-run=true} does for a
 * service.
 */
public final class BareServer {
    private BareServer() {
    }

    /**
     * Starts the server; it runs until the process is killed (or, with {@code --training-run}, stops at once).
     *
     * @param args the port (0 for an ephemeral one), then optionally {@code --training-run}
     * @throws IOException if the training run cannot ask its own route
     */
    public static void main(String[] args) throws IOException {
        int port = Integer.parseInt(args[0]);
        boolean training = args.length > 1 && args[1].equals("--training-run");
        WebServer server = WebServer.builder()
                .featuresDiscoverServices(false)
                .port(port)
                .host("127.0.0.1")
                .routing(r -> r.get("/health/ready", (req, res) -> res.send("ok")))
                .build()
                .start();
        System.out.println("bare server ready on port " + server.port());
        if (training) {
            int status = get(server.port(), "/health/ready");
            server.stop();
            System.out.println("bare server training run: /health/ready " + status);
            System.exit(status == 200 ? 0 : 1);
        }
    }

    /** The status of a {@code GET} on 127.0.0.1, or -1 when nothing answers. */
    static int get(int port, String path) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 1000);
            socket.setSoTimeout(5000);
            OutputStream out = socket.getOutputStream();
            out.write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nConnection: close\r\n\r\n")
                              .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            byte[] head = new byte[12];
            int read = 0;
            while (read < head.length) {
                int n = in.read(head, read, head.length - read);
                if (n < 0) {
                    return -1;
                }
                read += n;
            }
            // "HTTP/1.1 200"
            return Integer.parseInt(new String(head, 9, 3, StandardCharsets.US_ASCII));
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
    }
}
