package dev.flotilla.sample.order;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import dev.flotilla.core.http.RemoteProblemException;
import dev.flotilla.core.http.ServiceCallException;
import dev.flotilla.messaging.outbox.Outbox;
import dev.flotilla.messaging.saga.Saga;
import dev.flotilla.messaging.saga.SagaDefinition;
import dev.flotilla.messaging.saga.SagaFailure;
import dev.flotilla.messaging.saga.SagaInstance;
import dev.flotilla.messaging.saga.Sagas;
import dev.flotilla.messaging.saga.StepContext;
import dev.flotilla.sample.common.DownstreamAnswers;
import dev.flotilla.sample.common.DurableEvents;
import dev.flotilla.sample.inventory.api.ReleaseStock;
import dev.flotilla.sample.inventory.api.ReserveStock;
import dev.flotilla.sample.order.api.OrderApi.Order;
import dev.flotilla.sample.order.api.OrderApi.OrderItem;
import dev.flotilla.sample.order.api.OrderApi.Status;
import dev.flotilla.sample.order.api.OrderCancelled;
import dev.flotilla.sample.order.api.OrderConfirmed;
import dev.flotilla.sample.order.api.OrderPlaced;
import dev.flotilla.sample.order.api.OrderRejected;
import dev.flotilla.sample.product.api.ProductApiV2;
import dev.flotilla.sample.product.api.ProductApiV2.Product;
import dev.flotilla.sample.user.api.PaymentDeclinedException;
import dev.flotilla.sample.user.api.UserApi;
import dev.flotilla.sample.user.api.UserApi.Charge;
import dev.flotilla.sample.user.api.UserApi.Refund;
import org.slf4j.Logger;

/**
 * The order flow as two sagas the order-service coordinates, each instance keyed by the order's id.
 *
 * <ul>
 *     <li>{@value #PLACE_ORDER}: {@code accept}, {@code check-user}, {@code price}, {@code record} (the order, {@code PENDING}, and
 *     its {@link OrderPlaced} in one transaction), {@code reserve-stock} (the {@link ReserveStock} command, then the
 *     inventory's answer), {@code take-payment} (a charge against the user's credit limit) and {@code confirm}. A
 *     step that fails for good compensates the steps before it in reverse order: the payment is refunded, the stock
 *     released, the order rejected with the reason.</li>
 *     <li>{@value #CANCEL_ORDER}: {@code cancel} (a {@code CONFIRMED} order becomes {@code CANCELLED}, with its
 *     {@link OrderCancelled}), {@code release-stock} and {@code refund}.</li>
 * </ul>
 * Every order event goes through the outbox, in the transaction of the change it reports. Every command and call
 * carries the step's idempotency key, so a step run again after a crash has one effect.
 *
 * <p>The placing request drives the saga on its own thread and answers what that run decided. A failure of the
 * first steps there is the request's answer (an unknown user, a 503), and no order exists. If that run hands the
 * saga over before the order is stored (the saga's state could not be stored, a step is being retried), the request
 * answers {@code PENDING}: from then on the order must end as an order. The first steps then retry an unavailable
 * service instead of failing, and a failure before the order is stored is compensated by {@code accept}, which
 * stores the order as {@code REJECTED} with the reason.
 */
final class OrderFlow {
    /** The name of the saga that places an order: {@value}. */
    static final String PLACE_ORDER = "place-order";
    /** The name of the saga that cancels a confirmed order: {@value}. */
    static final String CANCEL_ORDER = "cancel-order";
    /** The step that waits for the inventory's answer: {@value}. */
    static final String RESERVE_STOCK = "reserve-stock";
    /** The step that charges the user: {@value}. */
    static final String TAKE_PAYMENT = "take-payment";

    /** The configuration key of how long the inventory's answer is awaited: {@value}. */
    static final String RESERVE_TIMEOUT_KEY = "orders.reserve-timeout";
    /** The configuration key of how long a payment the user-service cannot take now is retried: {@value}. */
    static final String PAYMENT_TIMEOUT_KEY = "orders.payment-timeout";
    static final Duration DEFAULT_RESERVE_TIMEOUT = Duration.ofSeconds(30);
    static final Duration DEFAULT_PAYMENT_TIMEOUT = Duration.ofSeconds(20);

    /** Prefixes of the failure reasons of the first steps, which {@code place} answers as problems. */
    static final String UNKNOWN_USER = "unknown-user: ";
    static final String UNKNOWN_PRODUCT = "unknown-product: ";
    static final String UNAVAILABLE = "unavailable: ";
    static final String INVALID = "invalid: ";

    /**
     * The data of a {@value #PLACE_ORDER} saga, as the steps so far left it.
     *
     * @param orderId    the order's id, also the saga's id
     * @param userId     the buyer
     * @param lines      the quantity per product, as asked
     * @param items      the priced lines; empty until {@code price} ran
     * @param totalCents the total; 0 until {@code price} ran
     */
    record PlaceOrderData(String orderId, String userId, Map<String, Integer> lines, List<OrderItem> items,
                          long totalCents) {
        Order order(Status status, String reason) {
            return new Order(orderId, userId, status, items, totalCents, reason);
        }
    }

    /**
     * The data of a {@value #CANCEL_ORDER} saga.
     *
     * @param orderId the order, also the saga's id
     * @param userId  the buyer, whose payment is refunded
     */
    record CancelOrderData(String orderId, String userId) {
    }

    /**
     * The inventory's answer to {@link ReserveStock}, as the {@code reserve-stock} step receives it.
     *
     * @param reserved whether every item was reserved
     * @param reason   why not, when not
     */
    record StockReply(boolean reserved, String reason) {
    }

    private final OrderRepository orders;
    private final DurableEvents events;
    private final Outbox outbox;
    private final UserApi users;
    private final ProductApiV2 products;
    private final Logger log;
    private final Saga<PlaceOrderData> placeOrder;
    private final Saga<CancelOrderData> cancelOrder;
    /** The orders being placed by a request now, and the request's thread. */
    private final Map<String, Thread> placing = new ConcurrentHashMap<>();

    OrderFlow(OrderRepository orders, DurableEvents events, Outbox outbox, Sagas sagas, UserApi users,
              ProductApiV2 products, Duration reserveTimeout, Duration paymentTimeout, Logger log) {
        this.orders = orders;
        this.events = events;
        this.outbox = outbox;
        this.users = users;
        this.products = products;
        this.log = log;
        this.placeOrder = sagas.register(placeOrder(reserveTimeout, paymentTimeout));
        this.cancelOrder = sagas.register(cancelOrder());
    }

    // tag::place-order[]
    private SagaDefinition<PlaceOrderData> placeOrder(Duration reserveTimeout, Duration paymentTimeout) {
        return SagaDefinition.builder(PLACE_ORDER, PlaceOrderData.class)
                // Once the placing request has answered, the order must end as an order, confirmed or rejected.
                .step("accept", step -> step
                        .action(StepContext::data)
                        .compensate(this::rejectUnrecorded))
                .step("check-user", step -> step.action(this::checkUser))
                .step("price", step -> step.action(this::price))
                .step("record", step -> step
                        .action(this::record)
                        .compensate(this::reject))
                .step(RESERVE_STOCK, step -> step
                        .send(ctx -> events.publish(ReserveStock.SUBJECT, reserveStock(ctx.data()),
                                                    ctx.idempotencyKey()))
                        .awaitReply(StockReply.class, reserveTimeout, (ctx, reply) -> {
                            if (!reply.reserved()) {
                                throw new SagaFailure(reply.reason());
                            }
                            return ctx.data();
                        })
                        .compensate(ctx -> {
                            // A payment that timed out may still have been taken: refunded (or voided) first.
                            refundPayment(ctx);
                            events.publish(ReleaseStock.SUBJECT, new ReleaseStock(ctx.data().orderId()),
                                           ctx.idempotencyKey());
                        }))
                .step(TAKE_PAYMENT, step -> step
                        .action(this::takePayment)
                        .compensate(this::refundPayment)
                        .timeout(paymentTimeout))
                .step("confirm", step -> step.action(this::confirm))
                .timeout(reserveTimeout.plus(paymentTimeout).plus(Duration.ofMinutes(1)))
                .build();
    }
    // end::place-order[]

    private SagaDefinition<CancelOrderData> cancelOrder() {
        return SagaDefinition.builder(CANCEL_ORDER, CancelOrderData.class)
                .step("cancel", step -> step.action(this::cancel))
                // Neither giving back may be abandoned: retried for a day, however long a participant is down.
                .step("release-stock", step -> step
                        .action(ctx -> {
                            events.publish(ReleaseStock.SUBJECT, new ReleaseStock(ctx.data().orderId()),
                                           ctx.idempotencyKey());
                            return ctx.data();
                        })
                        .timeout(Duration.ofDays(1)))
                .step("refund", step -> step
                        .action(ctx -> {
                            users.refund(ctx.data().userId(), chargeKey(ctx.data().orderId()),
                                         new Refund(ctx.data().orderId()));
                            return ctx.data();
                        })
                        .timeout(Duration.ofDays(1)))
                .build();
    }

    /**
     * Starts placing an order and drives it on the caller's thread until it waits for the inventory (or fails
     * first).
     */
    SagaInstance<PlaceOrderData> place(String orderId, String userId, Map<String, Integer> lines) {
        placing.put(orderId, Thread.currentThread());
        try {
            return placeOrder.start(orderId, new PlaceOrderData(orderId, userId, lines, List.of(), 0));
        } finally {
            placing.remove(orderId);
        }
    }

    /** Whether this thread is the placing request's own, whose answer a failure of the saga still becomes. */
    private boolean placingHere(String orderId) {
        return placing.get(orderId) == Thread.currentThread();
    }

    /**
     * The compensation of {@code accept}: the saga failed. On the placing request's own thread, nothing to do (the
     * request answers the failure, and the order was never stored). After the request answered, an order not stored
     * yet is stored now as {@code REJECTED}, with its events, so the buyer and the read model learn its end.
     */
    private void rejectUnrecorded(StepContext<PlaceOrderData> ctx) {
        PlaceOrderData data = ctx.data();
        if (placingHere(data.orderId())) {
            return;
        }
        String reason = ctx.failure().orElse("rejected");
        if (orders.record(data.order(Status.REJECTED, reason), (connection, order) -> {
            addPlaced(connection, order);
            addRejected(connection, order);
        })) {
            log.info("Order {} rejected before it was stored: {}", data.orderId(), reason);
        }
    }

    /** Cancels a confirmed order: its status changes on the caller's thread, the giving back follows. */
    SagaInstance<CancelOrderData> cancel(String orderId, String userId) {
        return cancelOrder.start(orderId, new CancelOrderData(orderId, userId));
    }

    Optional<SagaInstance<PlaceOrderData>> placing(String orderId) {
        return placeOrder.find(orderId);
    }

    /**
     * Hands the inventory's answer to the order's saga, also when it overtook the saga's wait (the saga takes an
     * answer that comes while its command is still being sent). One the saga does not wait for (late, repeated, or for
     * an order that failed already) is dropped.
     */
    void stockReply(String orderId, StockReply reply) {
        if (!placeOrder.reply(orderId, RESERVE_STOCK, reply)) {
            log.debug("Answer of the inventory for order {} not awaited: dropped", orderId);
        }
    }

    private PlaceOrderData checkUser(StepContext<PlaceOrderData> ctx) {
        String userId = ctx.data().userId();
        try {
            users.get(userId);
        } catch (IllegalArgumentException e) {
            // An id the typed client cannot even put in a URL: there is no such user.
            throw new SagaFailure(UNKNOWN_USER + "No user with id " + shortened(userId));
        } catch (RemoteProblemException e) {
            if (!DownstreamAnswers.refusesTheRequest(e)) {
                throw unavailable(ctx, "Cannot check the user now", e);
            }
            throw new SagaFailure(UNKNOWN_USER + "No user with id " + shortened(userId));
        } catch (ServiceCallException e) {
            throw unavailable(ctx, "Cannot check the user now", e);
        }
        return ctx.data();
    }

    private PlaceOrderData price(StepContext<PlaceOrderData> ctx) {
        PlaceOrderData data = ctx.data();
        List<OrderItem> items = new ArrayList<>();
        long total = 0;
        for (Map.Entry<String, Integer> line : data.lines().entrySet()) {
            Product product = product(ctx, line.getKey());
            long priceCents = product.price().cents();
            items.add(new OrderItem(product.id(), line.getValue(), priceCents));
            try {
                total = Math.addExact(total, Math.multiplyExact(priceCents, line.getValue()));
            } catch (ArithmeticException e) {
                // A total that does not fit in cents would be stored wrapped around: refused instead.
                throw new SagaFailure(INVALID + "The order's total is too large");
            }
        }
        return new PlaceOrderData(data.orderId(), data.userId(), data.lines(), List.copyOf(items), total);
    }

    /** The product, for its price; an id the product-service refuses is an unknown product (as for users). */
    private Product product(StepContext<PlaceOrderData> ctx, String productId) {
        try {
            return products.get(productId);
        } catch (IllegalArgumentException e) {
            throw new SagaFailure(UNKNOWN_PRODUCT + "No product with id " + shortened(productId));
        } catch (RemoteProblemException e) {
            if (!DownstreamAnswers.refusesTheRequest(e)) {
                throw unavailable(ctx, "Cannot check the prices now", e);
            }
            throw new SagaFailure(UNKNOWN_PRODUCT + "No product with id " + shortened(productId));
        } catch (ServiceCallException e) {
            throw unavailable(ctx, "Cannot check the prices now", e);
        }
    }

    // tag::record[]
    private PlaceOrderData record(StepContext<PlaceOrderData> ctx) {
        PlaceOrderData data = ctx.data();
        if (orders.record(data.order(Status.PENDING, null), this::addPlaced)) {
            log.info("Order {} placed for user {}: {} cents", data.orderId(), data.userId(), data.totalCents());
        }
        return data;
    }

    /** The order's {@link OrderPlaced}, added to the outbox in the transaction that stores the order. */
    private void addPlaced(Connection connection, Order order) throws SQLException {
        outbox.add(connection, OrderPlaced.SUBJECT,
                   new OrderPlaced(order.id(), order.userId(), order.items(), order.totalCents()),
                   "order-" + order.id() + "-placed");
    }
    // end::record[]

    /** The order's {@link OrderRejected}, added to the outbox in the transaction that rejects it. */
    private void addRejected(Connection connection, Order order) throws SQLException {
        add(connection, OrderRejected.SUBJECT, new OrderRejected(order.id(), order.userId(), order.reason()),
            "order-" + order.id() + "-rejected");
    }

    private void reject(StepContext<PlaceOrderData> ctx) {
        String orderId = ctx.data().orderId();
        String reason = ctx.failure().orElse("rejected");
        orders.transition(orderId, Status.PENDING, Status.REJECTED, reason, (connection, order) -> {
            addRejected(connection, order);
            log.info("Order {} rejected: {}", orderId, order.reason());
        });
    }

    private static ReserveStock reserveStock(PlaceOrderData data) {
        return new ReserveStock(data.orderId(), data.items().stream()
                .map(item -> new ReserveStock.Item(item.productId(), item.quantity())).toList());
    }

    // tag::take-payment[]
    private PlaceOrderData takePayment(StepContext<PlaceOrderData> ctx) {
        PlaceOrderData data = ctx.data();
        try {
            users.charge(data.userId(), ctx.idempotencyKey(), new Charge(data.orderId(), data.totalCents()));
        } catch (PaymentDeclinedException e) {
            throw new SagaFailure("payment declined: " + e.problem().detail());
        } catch (RemoteProblemException e) {
            if (DownstreamAnswers.refusesTheRequest(e)) {
                throw new SagaFailure("payment declined: " + e.problem().detail());
            }
            throw e;   // the user-service cannot take it now: retried until the step's timeout
        }
        return data;
    }

    private void refundPayment(StepContext<PlaceOrderData> ctx) {
        // Keyed by the charge's key: refunds it once, or leaves a tombstone if it never came (then it never will).
        // Also run by the compensation of reserve-stock: a take-payment that failed by timing out is not compensated
        // itself, yet its charge may have been taken by a call whose answer was lost.
        users.refund(ctx.data().userId(), chargeKey(ctx.data().orderId()), new Refund(ctx.data().orderId()));
    }
    // end::take-payment[]

    private PlaceOrderData confirm(StepContext<PlaceOrderData> ctx) {
        String orderId = ctx.data().orderId();
        Order order = orders.transition(orderId, Status.PENDING, Status.CONFIRMED, null, (connection, o) -> {
            add(connection, OrderConfirmed.SUBJECT, new OrderConfirmed(o.id(), o.userId(), o.totalCents()),
                "order-" + o.id() + "-confirmed");
            log.info("Order {} confirmed", orderId);
        }).orElseThrow(() -> new IllegalStateException("Order " + orderId + " is not stored"));
        if (order.status() != Status.CONFIRMED) {
            throw new SagaFailure("order " + orderId + " is " + order.status());
        }
        return ctx.data();
    }

    private CancelOrderData cancel(StepContext<CancelOrderData> ctx) {
        String orderId = ctx.data().orderId();
        Order order = orders.transition(orderId, Status.CONFIRMED, Status.CANCELLED, null, (connection, o) -> {
            add(connection, OrderCancelled.SUBJECT, new OrderCancelled(o.id(), o.userId(), o.items()),
                "order-" + o.id() + "-cancelled");
            log.info("Order {} cancelled: releasing its stock and refunding its payment", orderId);
        }).orElseThrow(() -> new SagaFailure("No order with id " + orderId));
        if (order.status() != Status.CANCELLED) {
            throw new SagaFailure("Order " + orderId + " is " + order.status() + "; only a CONFIRMED order can be "
                                          + "cancelled");
        }
        return ctx.data();
    }

    /** The idempotency key of the charge of an order: the {@code take-payment} step's key. */
    static String chargeKey(String orderId) {
        return PLACE_ORDER + "." + orderId + "." + TAKE_PAYMENT;
    }

    private void add(Connection connection, String subject, Object event, String messageId) throws SQLException {
        outbox.add(connection, subject, event, messageId);
    }

    /**
     * A service the first steps need cannot answer. On the placing request's thread, the saga fails and the request
     * answers 503; after the request answered {@code PENDING}, the step is retried until its timeout.
     */
    private RuntimeException unavailable(StepContext<PlaceOrderData> ctx, String what, ServiceCallException e) {
        if (!placingHere(ctx.data().orderId())) {
            return e;
        }
        return new SagaFailure(UNAVAILABLE + what + " (" + e.service() + " failed); try again later", e);
    }

    /** An id as quoted back in a problem: a hostile megabyte of id is not worth sending back. */
    static String shortened(String id) {
        return id.length() <= 100 ? id : id.substring(0, 100) + "...";
    }
}
