package dev.flotilla.core.http;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import dev.flotilla.core.observability.CallContext;
import dev.flotilla.core.problem.ConflictException;
import dev.flotilla.core.problem.NotFoundException;
import dev.flotilla.core.problem.Problem;
import dev.flotilla.core.problem.ProblemException;
import dev.flotilla.core.problem.UnavailableException;

/** The served side of {@link CatalogApi}, with switches the tests flip to make it fail. */
final class CatalogResource implements CatalogApi {
    final Map<Long, Item> items = new ConcurrentHashMap<>();
    final AtomicLong ids = new AtomicLong();
    /** Calls received, by operation. */
    final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
    /** When set, every item lookup fails with 500. */
    final AtomicBoolean broken = new AtomicBoolean();
    volatile String lastTenant;
    volatile List<String> lastTags;

    private int count(String operation) {
        return calls.computeIfAbsent(operation, k -> new AtomicInteger()).incrementAndGet();
    }

    int calls(String operation) {
        AtomicInteger n = calls.get(operation);
        return n == null ? 0 : n.get();
    }

    @Override
    public Item get(long id) {
        count("get");
        if (broken.get()) {
            throw new IllegalStateException("storage is broken");
        }
        Item item = items.get(id);
        if (item == null) {
            throw new NotFoundException("No item with id " + id);
        }
        return item;
    }

    @Override
    public Optional<Item> find(long id) {
        return Optional.ofNullable(items.get(id));
    }

    @Override
    public List<Item> list(String name, List<String> tags, String tenant) {
        lastTenant = tenant;
        lastTags = tags;
        List<Item> found = new ArrayList<>();
        for (Item item : items.values()) {
            if (name == null || item.name().equals(name)) {
                found.add(item);
            }
        }
        return found;
    }

    @Override
    public Item create(NewItem item) {
        long id = ids.incrementAndGet();
        Item created = new Item(id, item.name(), item.quantity());
        items.put(id, created);
        return created;
    }

    @Override
    public Item replace(long id, NewItem item) {
        Item replaced = new Item(id, item.name(), item.quantity());
        items.put(id, replaced);
        return replaced;
    }

    @Override
    public HttpResult<Item> rename(long id, String name) {
        Item old = get(id);
        Item renamed = new Item(id, name, old.quantity());
        items.put(id, renamed);
        return HttpResult.ok(renamed).withHeader("X-Renamed-From", old.name());
    }

    @Override
    public void delete(long id) {
        items.remove(id);
    }

    @Override
    public CompletableFuture<Item> getAsync(long id) {
        return CompletableFuture.completedFuture(get(id));
    }

    @Override
    public Map<String, String> echo(String text) {
        CallContext context = CallContext.current().orElseThrow();
        return Map.of("text", text,
                      "correlationId", context.correlationId(),
                      "traceparent", context.traceParent().orElse(""),
                      "deadlineMs", context.deadline().map(d -> String.valueOf(d.remaining().toMillis())).orElse(""));
    }

    @Override
    public CompletableFuture<Map<String, String>> echoAsync(String text) {
        return CompletableFuture.completedFuture(echo(text));
    }

    @Override
    public String slow(int millis) {
        try {
            // The slow downstream is the scenario.
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return "slept " + millis;
    }

    @Override
    public String flakyGet(String key, int failures) {
        return flaky("GET " + key, failures);
    }

    @Override
    public String flakyPost(String key, int failures) {
        return flaky("POST " + key, failures);
    }

    private String flaky(String key, int failures) {
        int call = count(key);
        if (call <= failures) {
            throw new UnavailableException("Failure " + call + " of " + failures);
        }
        return "ok after " + (call - 1) + " failures";
    }

    @Override
    public String conflict() {
        throw new ConflictException("Item already exists");
    }

    @Override
    public String unprocessable() {
        throw new ProblemException(Problem.of("unknown-user", 422, "Unknown user", "No user 7")
                                           .withExtension("userId", 7));
    }
}
