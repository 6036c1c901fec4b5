package dev.flotilla.benchmarks.suite;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Date;
import java.util.List;
import java.util.Map;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.flotilla.benchmarks.RawJson;
import dev.flotilla.core.Service;
import dev.flotilla.core.ServiceContext;
import dev.flotilla.core.ServiceRuntime;
import dev.flotilla.core.http.Get;
import dev.flotilla.core.http.HttpContracts;
import dev.flotilla.core.http.PathParam;
import dev.flotilla.core.security.Access;
import dev.flotilla.core.security.Anonymous;
import io.helidon.http.HeaderNames;
import io.helidon.http.Header;
import io.helidon.http.HeaderValues;
import io.helidon.webclient.api.HttpClientResponse;
import io.helidon.webclient.api.WebClient;
import io.helidon.webserver.http.HttpRules;

/**
 * The per-request cost of verifying a JWT: the same kind of contract endpoint of one Flotilla service, called with a
 * bearer token that the server verifies (the same token on every request, as a client sends it, which the server
 * remembers once verified; and, in a second comparison, a token never seen before on every request) (RS256, 2048-bit key, inline JWK set; {@code @Access(roles = "reader")}) and
 * without one ({@code @Anonymous}), by the same raw Helidon WebClient load generator. The two sides run interleaved
 * in ABBA slices of 250 ms, 3 s per side and round, after a warm-up; the figures are medians over the rounds, the
 * ratio (authenticated / anonymous) with its range. Server and load generator share this JVM, so CPU per request
 * is the whole process's: the difference between the sides is what verification costs the server.
 *
 * <pre>
 * java -XX:+UseG1GC -Xms1g -Xmx1g -cp benchmarks/target/benchmarks.jar \
 *     dev.flotilla.benchmarks.suite.JwtVerificationCost [callers] [rounds] [--measure]
 * </pre>
 * With {@code --measure} it prints the lines {@link Suite} reads (its scenario 8) instead of the table.
 */
public final class JwtVerificationCost {
    private static final Duration WINDOW = Duration.ofSeconds(3);
    /** More tokens than the server remembers verified (4,096). */
    private static final int DISTINCT_TOKENS = 6000;
    private static final Duration SLICE = Duration.ofMillis(250);
    private static final String ISSUER = "https://idp.bench";
    private static final String AUDIENCE = "price-service";

    /** The endpoint, twice: with and without a required caller. */
    public interface SecuredPriceApi {
        /** A price. */
        record Price(long productId, String currency, long amountCents) {
        }

        @Get("/v1/prices/{id}")
        @Access(roles = "reader")
        Price price(@PathParam("id") long id);

        @Get("/v1/open-prices/{id}")
        @Anonymous
        Price openPrice(@PathParam("id") long id);
    }

    static final class SecuredPriceService extends Service {
        SecuredPriceService() {
            super("price-service", "1.0.0");
        }

        @Override
        protected void routes(HttpRules rules, ServiceContext context) {
            rules.register(HttpContracts.serve(SecuredPriceApi.class, new SecuredPriceApi() {
                @Override
                public Price price(long id) {
                    return new Price(id, "EUR", 1999);
                }

                @Override
                public Price openPrice(long id) {
                    return new Price(id, "EUR", 1999);
                }
            }));
        }
    }

    private JwtVerificationCost() {
    }

    /**
     * Runs the comparison and prints it.
     *
     * @param args callers (default 8), rounds (default 4)
     * @throws Exception if the service does not start or a call fails
     */
    public static void main(String[] args) throws Exception {
        int callers = args.length > 0 ? Integer.parseInt(args[0]) : 8;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 4;
        boolean measure = args.length > 2 && args[2].equals("--measure");
        RSAKey key = new RSAKeyGenerator(2048).keyID("bench-1").generate();
        JWTClaimsSet claims = new JWTClaimsSet.Builder().issuer(ISSUER).audience(AUDIENCE).subject("bench-user")
                .issueTime(new Date()).expirationTime(Date.from(Instant.now().plus(Duration.ofHours(2))))
                .claim("roles", List.of("reader")).build();
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("bench-1").build(), claims);
        jwt.sign(new RSASSASigner(key));
        String bearer = "Bearer " + jwt.serialize();
        // Tokens seen once each: more than the server remembers, used in turn, so each is verified afresh.
        List<Header> distinct = new ArrayList<>();
        RSASSASigner signer = new RSASSASigner(key);
        for (int i = 0; i < DISTINCT_TOKENS; i++) {
            SignedJWT one = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("bench-1").build(),
                                          new JWTClaimsSet.Builder(claims).jwtID("t-" + i).build());
            one.sign(signer);
            distinct.add(HeaderValues.create(HeaderNames.AUTHORIZATION, "Bearer " + one.serialize()));
        }
        java.util.concurrent.atomic.AtomicInteger next = new java.util.concurrent.atomic.AtomicInteger();

        try (ServiceRuntime runtime = ServiceRuntime.builder()
                .addService(new SecuredPriceService(), Map.of(
                        "server.port", "0", "server.host", "127.0.0.1", "shutdown.grace-period", "PT0S",
                        "security.jwt.jwks", new JWKSet(key.toPublicJWK()).toString(),
                        "security.jwt.issuer", ISSUER, "security.jwt.audience", AUDIENCE))
                .build()) {
            runtime.start();
            URI base = runtime.service("price-service").uri();
            WebClient client = WebClient.builder().baseUri(base).mediaContext(RawJson.media(RawJson.mapper()))
                    .shareConnectionCache(false).addProtocolPreference(List.of("http/1.1")).build();
            var authorization = HeaderValues.create(HeaderNames.AUTHORIZATION, bearer);
            ClosedLoop.Call anonymous = () -> call(client.get("/v1/open-prices/42").request());
            ClosedLoop.Call authenticated = () -> call(client.get("/v1/prices/42").header(authorization).request());
            ClosedLoop.Call afresh = () -> call(client.get("/v1/prices/42").header(
                    distinct.get(Math.floorMod(next.getAndIncrement(), DISTINCT_TOKENS))).request());
            authenticated.call();
            anonymous.call();
            try (HttpClientResponse refused = client.get("/v1/prices/42").request()) {
                if (refused.status().code() != 401) {
                    throw new IllegalStateException("the secured endpoint answered " + refused.status()
                                                            + " without a token");
                }
            }
            ClosedLoop.interleaved(callers, Duration.ofSeconds(6), SLICE, anonymous, authenticated, null);
            List<ClosedLoop.Load> open = new ArrayList<>();
            List<ClosedLoop.Load> secured = new ArrayList<>();
            List<ClosedLoop.Load> openToo = new ArrayList<>();
            List<ClosedLoop.Load> fresh = new ArrayList<>();
            for (int round = 0; round < rounds; round++) {
                boolean openFirst = round % 2 == 0;
                ClosedLoop.Load[] loads = ClosedLoop.interleaved(
                        callers, WINDOW, SLICE, openFirst ? anonymous : authenticated,
                        openFirst ? authenticated : anonymous, HarnessScenario::ownCpuNanos);
                open.add(openFirst ? loads[0] : loads[1]);
                secured.add(openFirst ? loads[1] : loads[0]);
                loads = ClosedLoop.interleaved(callers, WINDOW, SLICE, openFirst ? anonymous : afresh,
                                               openFirst ? afresh : anonymous, HarnessScenario::ownCpuNanos);
                openToo.add(openFirst ? loads[0] : loads[1]);
                fresh.add(openFirst ? loads[1] : loads[0]);
            }
            if (measure) {
                // For Suite (scenario 8): one line per figure, round and side; "raw" is the anonymous call.
                for (int round = 0; round < rounds; round++) {
                    measure("8.throughput", round + 1, open.get(round).throughput(), secured.get(round).throughput());
                    measure("8.cpu", round + 1, open.get(round).cpuMicrosPerCall(),
                            secured.get(round).cpuMicrosPerCall());
                    measure("8.p50", round + 1, open.get(round).p50Nanos() / 1e6, secured.get(round).p50Nanos() / 1e6);
                    measure("8.fresh-cpu", round + 1, openToo.get(round).cpuMicrosPerCall(),
                            fresh.get(round).cpuMicrosPerCall());
                    measure("8.fresh-throughput", round + 1, openToo.get(round).throughput(),
                            fresh.get(round).throughput());
                }
            } else {
                System.out.println("The same token on every request (a client's usual case):");
                print(callers, rounds, open, secured);
                System.out.println("A token never seen before on every request (each verified afresh):");
                print(callers, rounds, openToo, fresh);
            }
        }
    }

    private static void measure(String row, int round, double anonymous, double authenticated) {
        System.out.printf(java.util.Locale.ROOT, "MEASURE\t%s\t%d\traw\t%s%n", row, round, anonymous);
        System.out.printf(java.util.Locale.ROOT, "MEASURE\t%s\t%d\tflotilla\t%s%n", row, round, authenticated);
    }

    private static void call(HttpClientResponse response) {
        try (response) {
            if (response.status().code() != 200) {
                throw new IllegalStateException("status " + response.status());
            }
            response.entity().consume();
        }
    }

    private static void print(int callers, int rounds, List<ClosedLoop.Load> open, List<ClosedLoop.Load> secured) {
        System.out.printf("JWT verification per request (%d callers, %d rounds of %s per side, ABBA slices of %s)%n",
                          callers, rounds, WINDOW, SLICE);
        row("throughput (req/s)", open, secured, ClosedLoop.Load::throughput, "%,.0f");
        row("p50 (ms)", open, secured, l -> l.p50Nanos() / 1e6, "%.3f");
        row("p99 (ms)", open, secured, l -> l.p99Nanos() / 1e6, "%.3f");
        row("CPU per request (µs, whole JVM)", open, secured, ClosedLoop.Load::cpuMicrosPerCall, "%.1f");
    }

    private static void row(String name, List<ClosedLoop.Load> open, List<ClosedLoop.Load> secured,
                            java.util.function.ToDoubleFunction<ClosedLoop.Load> figure, String format) {
        List<Double> a = new ArrayList<>();
        List<Double> s = new ArrayList<>();
        List<Double> ratios = new ArrayList<>();
        for (int i = 0; i < open.size(); i++) {
            a.add(figure.applyAsDouble(open.get(i)));
            s.add(figure.applyAsDouble(secured.get(i)));
            ratios.add(s.get(i) / a.get(i));
        }
        System.out.printf("  %-32s authenticated " + format + " / anonymous " + format
                                  + ": ratio %.2f (%.2f – %.2f); rounds %s / %s%n",
                          name, median(s), median(a), median(ratios), Collections.min(ratios),
                          Collections.max(ratios), formatted(s, format), formatted(a, format));
    }

    private static String formatted(List<Double> values, String format) {
        List<String> out = new ArrayList<>();
        values.forEach(v -> out.add(String.format(format, v)));
        return String.join(", ", out);
    }

    private static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }
}
