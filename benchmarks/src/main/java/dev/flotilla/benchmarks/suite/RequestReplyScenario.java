package dev.flotilla.benchmarks.suite;

import java.io.IOException;
import java.time.Duration;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.flotilla.messaging.Messaging;
import dev.flotilla.messaging.NatsSettings;
import dev.flotilla.testkit.nats.NatsServer;
import io.nats.client.Connection;
import io.nats.client.Dispatcher;
import io.nats.client.Message;
import io.nats.client.Nats;

/**
 * Scenario 3: a NATS request-reply round trip with small typed JSON bodies through {@code Messaging.request} and
 * {@code Messaging.respond} against raw jnats {@code Connection.request} and a dispatcher that answers, both with
 * Jackson on the same records, against the same private nats-server. One caller (latency) and 64 concurrent callers
 * (throughput). The two sides run interleaved in slices of {@link #SLICE} ({@link ClosedLoop#interleaved}).
 */
final class RequestReplyScenario extends HarnessScenario {

    /** The request. */
    public record Quote(String sku, int quantity) {
    }

    /** The reply. */
    public record Price(String sku, long cents) {
    }

    private static final Duration TIMEOUT = Duration.ofSeconds(5);
    private final ObjectMapper mapper = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();
    private final Quote quote = new Quote("sku-000042", 3);
    private final int manyCallers;
    private NatsServer server;
    private Messaging responder;
    private Messaging requester;
    private Connection rawResponder;
    private Connection rawRequester;
    private final boolean aa;
    private Connection rawRequesterAgain;

    /**
     * @param manyCallers the callers of the throughput figure
     * @param window      each side's measured time per round
     * @param aa          an A/A check of the method: the "Flotilla" side makes raw requests too, on a second
     *                    connection, to the same raw responder; every ratio should be 1
     */
    RequestReplyScenario(int manyCallers, Duration window, boolean aa) {
        super(window);
        this.manyCallers = manyCallers;
        this.aa = aa;
    }

    @Override
    void setUp() throws Exception {
        server = NatsServer.start();
        NatsSettings settings = NatsSettings.builder().server(server.url()).build();
        responder = Messaging.builder().serviceName("pricing").nats(settings).build();
        requester = Messaging.builder().serviceName("shop").nats(settings).build();
        responder.respond("flotilla.quote", Quote.class, q -> new Price(q.payload().sku(), 1999L * q.payload().quantity()));

        rawResponder = Nats.connect(server.url());
        rawRequester = Nats.connect(server.url());
        rawRequesterAgain = Nats.connect(server.url());
        Dispatcher dispatcher = rawResponder.createDispatcher(m -> {
            Quote q = decode(m.getData(), Quote.class);
            rawResponder.publish(m.getReplyTo(), encode(new Price(q.sku(), 1999L * q.quantity())));
        });
        dispatcher.subscribe("raw.quote", "pricing");
        rawResponder.flush(TIMEOUT);
        if (!flotillaCall().equals(rawCall())) {
            throw new IllegalStateException("the two sides answer differently");
        }
    }

    private Price flotillaCall() {
        return requester.request("flotilla.quote", quote, Price.class, TIMEOUT);
    }

    private Price rawCall() throws Exception {
        return rawCall(rawRequester);
    }

    private Price rawCall(Connection requesting) throws Exception {
        Message reply = requesting.request("raw.quote", encode(quote), TIMEOUT);
        if (reply == null) {
            throw new IllegalStateException("no reply in " + TIMEOUT);
        }
        return decode(reply.getData(), Price.class);
    }

    private <T> T decode(byte[] data, Class<T> type) {
        try {
            return mapper.readValue(data, type);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private byte[] encode(Object value) {
        try {
            return mapper.writeValueAsBytes(value);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    void measureBoth(Side first, Side second) throws Exception {
        ClosedLoop.Load[] one = ClosedLoop.interleaved(1, window, SLICE, call(first), call(second), null);
        ClosedLoop.Load[] many = ClosedLoop.interleaved(manyCallers, window, SLICE, call(first), call(second),
                                                        HarnessScenario::ownCpuNanos);
        Side[] sides = {first, second};
        for (int i = 0; i < 2; i++) {
            report("3.p50", sides[i], millis(one[i].p50Nanos()));
            report("3.p99", sides[i], millis(one[i].p99Nanos()));
            report("3.throughput", sides[i], many[i].throughput());
            report("3.cpu", sides[i], many[i].cpuMicrosPerCall());
        }
    }

    private ClosedLoop.Call call(Side side) {
        if (side == Side.RAW) {
            return this::rawCall;
        }
        return aa ? () -> rawCall(rawRequesterAgain) : this::flotillaCall;
    }

    @Override
    void finish() {
        if (aa) {
            note("3.throughput", "A/A check: both sides raw (two requesting connections, one raw responder)");
        }
        note("3.throughput", manyCallers + " callers sharing one requesting connection per side; one responder "
                + "connection per side (Flotilla: respond() with its default concurrency; raw: one dispatcher)");
    }

    @Override
    public void close() throws Exception {
        requester.close();
        responder.close();
        rawRequester.close();
        rawRequesterAgain.close();
        rawResponder.close();
        server.close();
    }
}
