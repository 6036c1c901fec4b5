package dev.flotilla.testkit;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

import dev.flotilla.core.ServiceExtensionProvider;
import dev.flotilla.testkit.ExchangeCapture.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks every answer of a test system's services against the contract each service publishes at
 * {@code GET /openapi}: {@link ExchangeCapture} records the exchanges, and {@link #verify()} checks those recorded
 * since the last check with {@link OpenApiContract}. A service's document is fetched once per start of the system, in
 * the background, from the instance that answered its first request. Thread-safe.
 */
final class ContractConformance {
    /** The system's own logger, so its messages read as the test system's. */
    private static final Logger LOG = LoggerFactory.getLogger(TestSystem.class);
    static final Duration FETCH_TIMEOUT = Duration.ofSeconds(10);
    /**
     * How many bytes of bodies may wait for a check; answers beyond are not checked. A system used without JUnit is
     * never checked, and must not keep every answer it gives.
     */
    static final long MAX_PENDING_BYTES = 64L << 20;

    private final Queue<Exchange> exchanges = new ConcurrentLinkedQueue<>();
    private final AtomicLong pendingBytes = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private final Map<String, CompletableFuture<OpenApiContract>> contracts = new ConcurrentHashMap<>();
    /** The running system, to fetch a document again from a ready instance; null while stopped. */
    private final Supplier<RunningSystem> running;
    private final ExchangeCapture capture = new ExchangeCapture(this::record);

    ContractConformance(Supplier<RunningSystem> running) {
        this.running = running;
    }

    /** The extension that records each service's exchanges. */
    ServiceExtensionProvider capture() {
        return capture;
    }

    /** Forgets the recorded exchanges and the fetched documents: the system starts again. */
    void reset() {
        exchanges.clear();
        pendingBytes.set(0);
        dropped.set(0);
        contracts.clear();
    }

    /** Keeps an exchange for the next check; {@code instance} (null once stopped) is where the service answered. */
    private void record(Exchange exchange, URI instance) {
        long size = size(exchange);
        if (pendingBytes.addAndGet(size) > MAX_PENDING_BYTES) {
            pendingBytes.addAndGet(-size);
            dropped.incrementAndGet();
            return;
        }
        if (instance != null) {
            contracts.computeIfAbsent(exchange.service(), name -> CompletableFuture.supplyAsync(
                    () -> fetch(name, instance),
                    task -> Thread.ofVirtual().name("flotilla-testkit-contract").start(task)));
        }
        exchanges.add(exchange);
    }

    private static long size(Exchange exchange) {
        return 256L + exchange.request().bytes().length + exchange.response().bytes().length;
    }

    /**
     * Checks the exchanges recorded since the last check.
     *
     * @throws AssertionError if an answer does not match its service's contract; the message lists every mismatch
     */
    void verify() {
        List<String> found = mismatches();
        if (found.isEmpty()) {
            return;
        }
        StringBuilder message = new StringBuilder("Answers that do not match their service's published contract "
                + "(GET /openapi); turn the check off with TestSystem.builder().contractConformance(false):");
        found.forEach(line -> message.append("\n  - ").append(line));
        throw new AssertionError(message.toString());
    }

    /** The mismatches among the exchanges recorded since the last check, each once, with how often it occurred. */
    List<String> mismatches() {
        Map<String, Integer> found = new LinkedHashMap<>();
        long notChecked = dropped.getAndSet(0);
        if (notChecked > 0) {
            LOG.warn("{} answers were not checked against their contracts: more than {} MiB of them waited for a "
                             + "check", notChecked, MAX_PENDING_BYTES >> 20);
        }
        // one look-up per service and check: a document that cannot be read is tried (and logged) once
        Map<String, Optional<OpenApiContract>> byService = new HashMap<>();
        for (Exchange exchange = exchanges.poll(); exchange != null; exchange = exchanges.poll()) {
            pendingBytes.addAndGet(-size(exchange));
            Optional<OpenApiContract> contract = byService.computeIfAbsent(exchange.service(), this::contract);
            if (contract.isPresent()) {
                contract.get().check(exchange).forEach(line -> found.merge(line, 1, Integer::sum));
            }
        }
        List<String> lines = new ArrayList<>();
        found.forEach((line, count) -> lines.add(count == 1 ? line : line + " (" + count + " times)"));
        return lines;
    }

    /**
     * A service's contract: the one fetched in the background, or else fetched now from a ready instance. Empty
     * (logged) when it cannot be read: the service stopped before its document could be fetched.
     */
    private Optional<OpenApiContract> contract(String service) {
        CompletableFuture<OpenApiContract> pending = contracts.get(service);
        RuntimeException failure = new IllegalStateException("no ready instance");
        try {
            if (pending != null) {
                return Optional.of(pending.get(FETCH_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS));
            }
        } catch (ExecutionException e) {
            failure = e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        } catch (TimeoutException e) {
            failure = new IllegalStateException("no answer within " + FETCH_TIMEOUT);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
        RunningSystem system = running.get();
        for (URI instance : system == null ? List.<URI>of() : system.readyInstances(service)) {
            try {
                OpenApiContract contract = fetch(service, instance);
                contracts.put(service, CompletableFuture.completedFuture(contract));
                return Optional.of(contract);
            } catch (RuntimeException e) {
                failure = e;
            }
        }
        if (pending != null) {
            contracts.remove(service, pending);
        }
        LOG.warn("Could not read the contract of {} ({}): its answers are not checked against it",
                 service, failure.getMessage());
        return Optional.empty();
    }

    /**
     * Fetches a service's document.
     *
     * @throws IllegalStateException    if the service does not answer 200
     * @throws IllegalArgumentException if the answer is not an OpenAPI 3.1 document
     */
    static OpenApiContract fetch(String service, URI instance) {
        URI address = instance.resolve("/openapi");
        try (HttpClient client = HttpClient.newBuilder().connectTimeout(FETCH_TIMEOUT).build()) {
            HttpResponse<String> response = client.send(
                    HttpRequest.newBuilder(address).timeout(FETCH_TIMEOUT).header("Accept", "application/json")
                            .GET().build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new IllegalStateException("GET " + address + " answered " + response.statusCode());
            }
            return OpenApiContract.parse(service, response.body());
        } catch (java.io.IOException e) {
            throw new IllegalStateException("GET " + address + " failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("GET " + address + " was interrupted", e);
        }
    }
}
