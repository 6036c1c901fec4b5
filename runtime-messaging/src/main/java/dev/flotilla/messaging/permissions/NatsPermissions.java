package dev.flotilla.messaging.permissions;

import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeoutException;

import dev.flotilla.messaging.MessagingException;
import dev.flotilla.messaging.NatsSettings;
import io.nats.client.Connection;
import io.nats.client.Message;
import io.nats.client.Subscription;
import io.nats.client.NKey;
import io.nats.client.Nats;
import io.nats.service.Discovery;
import io.nats.service.InfoResponse;

/**
 * Least-privilege NATS permissions for a Flotilla system: one NKey user per service, allowed to publish and subscribe
 * to exactly what the service does on NATS, written as a nats-server {@code authorization} block.
 *
 * <p><b>Where the usage comes from.</b> Every Flotilla service on NATS tells what it does: its {@code $SRV.INFO}
 * metadata lists {@code flotilla.events} (the events it declares with {@code EventCatalog}), and each instance answers
 * requests on {@code flotilla.usage.<service>} with what its messaging has seen (the subjects it publishes and
 * requests, its subscriptions and responders with their queue groups, the streams it declares, its durable consumers,
 * the services it looks up, the central configuration bucket it reads, the key-value buckets it writes such as its
 * saga engine's {@code sagas-<service>}, its dead-letter subject): an answer rather
 * than metadata, because a NATS service's metadata is fixed and replacing the service whenever a subject is first used
 * would race with discovery. {@link Builder#collect(NatsSettings, Duration)} asks a running system for it,
 * so the tool reads the same thing from a development system that the testkit reads from a test system, and no
 * second description of a service can drift from its code. What a service only does later (a request it has not sent
 * yet, an event it has not declared) is not known then: declare events with {@code EventCatalog.publishes}, or add
 * grants with {@link Builder#allowPublish(String, String)}.
 *
 * <p><b>What each service gets.</b> Publish: its events and requests, its dead-letter subject, {@code $SRV.INFO.<name>}
 * for each service it looks up, {@code $JS.API.STREAM.NAMES}, and the JetStream API subjects of its own streams
 * ({@code STREAM.CREATE/UPDATE/INFO.<stream>}), durable consumers ({@code CONSUMER.CREATE/INFO/MSG.NEXT.<stream>.
 * <durable>}, {@code $JS.ACK.<stream>.<durable>.>}) and buckets ({@code KV_<bucket>}: stream info, its watch's
 * consumers and their info, flow control; for a bucket it writes, such as its saga engine's, also the stream's
 * {@code STREAM.CREATE/UPDATE/MSG.GET}, {@code DIRECT.GET} and the bucket's keys {@code $KV.<bucket>.>}; no other
 * service gets any of them). Subscribe: its inbox {@code _INBOX_<service>.>} (set
 * {@code messaging.nats.inbox-prefix}, see {@link #serviceConfig(String)}), its subscriptions and responders (a queue
 * subscription as {@code "subject group"}, so only that queue group may be joined), its own {@code $SRV} subjects and
 * {@code flotilla.usage.<service>}. Every service answers {@code $SRV} requests, so every one has
 * {@code allow_responses}. Nothing else: another client cannot register its {@code $SRV} name, join its queue groups,
 * publish its events or read its inbox.
 *
 * <pre>{@code
 * NatsPermissions permissions = NatsPermissions.builder()
 *         .collect(NatsSettings.builder().server("nats://127.0.0.1:4222").build(), Duration.ofSeconds(1))
 *         .allowPublish("order-service", "inventory.reserve")
 *         .build();
 * Files.writeString(Path.of("authorization.conf"), permissions.serverConfig()); // include it in nats.conf
 * permissions.serviceConfig("order-service"); // messaging.nats.nkey-seed and messaging.nats.inbox-prefix
 * }</pre>
 *
 * <p>Immutable and thread-safe. It holds NKey seeds, which are secrets: {@link #toString()} never shows them.
 */
public final class NatsPermissions {
    /** The configuration key a service's NKey seed goes to: {@value}. */
    public static final String SEED_KEY = "messaging.nats.nkey-seed";
    /** The configuration key a service's inbox prefix goes to: {@value}. */
    public static final String INBOX_KEY = "messaging.nats.inbox-prefix";

    /** A user of the generated configuration. */
    private record User(String name, String natsName, char[] seed, String publicKey, Grants grants) {
    }

    private final Map<String, User> users;

    private NatsPermissions(Map<String, User> users) {
        this.users = users;
    }

    /**
     * A builder.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The users: every service, then every unrestricted user, sorted by name.
     *
     * @return the names
     */
    public Set<String> users() {
        return Collections.unmodifiableSet(users.keySet());
    }

    /**
     * The subjects a user may publish to.
     *
     * @param user a service or unrestricted user
     * @return the allow list, sorted; empty for an unrestricted user (who may publish to anything)
     * @throws IllegalArgumentException if there is no such user
     */
    public List<String> publishAllowed(String user) {
        Grants grants = user(user).grants();
        return grants == null ? List.of() : grants.publish();
    }

    /**
     * The subjects a user may subscribe to; {@code "subject group"} allows only a queue subscription in that group.
     *
     * @param user a service or unrestricted user
     * @return the allow list, sorted; empty for an unrestricted user
     * @throws IllegalArgumentException if there is no such user
     */
    public List<String> subscribeAllowed(String user) {
        Grants grants = user(user).grants();
        return grants == null ? List.of() : grants.subscribe();
    }

    /**
     * The user's NKey public key (starts with {@code U}), as the server configuration names it.
     *
     * @param user a service or unrestricted user
     * @return the public key
     * @throws IllegalArgumentException if there is no such user
     */
    public String publicKey(String user) {
        return user(user).publicKey();
    }

    /**
     * The configuration a service (or a tool connecting as an unrestricted user) needs to connect as its user:
     * {@value #SEED_KEY} (a secret: keep it out of logs and version control, e.g. {@code ${file:/run/secrets/...}})
     * and {@value #INBOX_KEY}.
     *
     * @param user a service or unrestricted user
     * @return the keys and values, in that order
     * @throws IllegalArgumentException if there is no such user
     */
    public Map<String, String> serviceConfig(String user) {
        User u = user(user);
        Map<String, String> config = new LinkedHashMap<>();
        config.put(SEED_KEY, new String(u.seed()));
        config.put(INBOX_KEY, Grants.defaultInbox(u.natsName()));
        return Collections.unmodifiableMap(config);
    }

    /**
     * The nats-server {@code authorization} block: one NKey user per service with its {@code publish} and
     * {@code subscribe} allow lists and {@code allow_responses}, and the unrestricted users. Put it in the server's
     * configuration ({@code include authorization.conf}); it names public keys only, no secret.
     *
     * @return the configuration text
     */
    public String serverConfig() {
        StringBuilder out = new StringBuilder();
        out.append("# Least-privilege NATS permissions generated by Flotilla (NatsPermissions): one NKey user per\n")
                .append("# service. Regenerate it when a service starts to publish, request or subscribe to more.\n")
                .append("authorization {\n  users = [\n");
        for (User u : users.values()) {
            out.append("    # ").append(u.name()).append('\n');
            out.append("    { nkey: ").append(quote(u.publicKey()));
            if (u.grants() == null) {
                out.append(" }\n");
                continue;
            }
            out.append(", permissions: {\n");
            out.append("        publish: { allow: ").append(list(u.grants().publish())).append(" }\n");
            out.append("        subscribe: { allow: ").append(list(u.grants().subscribe())).append(" }\n");
            out.append("        allow_responses: true\n");
            out.append("    } }\n");
        }
        out.append("  ]\n}\n");
        return out.toString();
    }

    private static String list(List<String> subjects) {
        StringBuilder out = new StringBuilder("[");
        for (int i = 0; i < subjects.size(); i++) {
            out.append(i == 0 ? "" : ", ").append(quote(subjects.get(i)));
        }
        return out.append(']').toString();
    }

    private static String quote(String s) {
        return '"' + s.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
    }

    private User user(String name) {
        User u = users.get(Objects.requireNonNull(name, "user"));
        if (u == null) {
            throw new IllegalArgumentException("No NATS user '" + name + "'; the users are " + users.keySet());
        }
        return u;
    }

    @Override
    public String toString() {
        return "NatsPermissions" + users.keySet();
    }

    /**
     * Builds {@link NatsPermissions}. Not thread-safe.
     */
    public static final class Builder {
        private final Map<String, ServiceUsage> services = new TreeMap<>();
        private final Set<String> unrestricted = new TreeSet<>();
        private final Map<String, Set<String>> extraPublish = new TreeMap<>();
        private final Map<String, Set<String>> extraSubscribe = new TreeMap<>();
        private final Map<String, char[]> seeds = new TreeMap<>();

        private Builder() {
        }

        /**
         * Asks the running system what its services do: sends {@code $SRV.INFO} and, for the time given, collects the
         * answers of every Flotilla service (those whose metadata names {@code flotilla.service}), then asks each on
         * {@code flotilla.usage.<service>} and collects for the time given again; the answers of instances of one
         * service are merged. Connect as a user that may use {@code $SRV} and {@code flotilla.usage.>} (an unrestricted
         * one, once permissions are in force).
         *
         * @param settings how to reach NATS
         * @param wait     how long to collect answers
         * @return this builder
         * @throws IllegalArgumentException if {@code wait} is not positive, or a service published unreadable metadata
         * @throws MessagingException       if NATS cannot be reached
         * @throws NullPointerException     if an argument is {@code null}
         */
        public Builder collect(NatsSettings settings, Duration wait) {
            Objects.requireNonNull(settings, "settings");
            if (Objects.requireNonNull(wait, "wait").isNegative() || wait.isZero()) {
                throw new IllegalArgumentException("wait must be positive, was " + wait);
            }
            Connection connection;
            try {
                connection = Nats.connect(settings.toOptions("flotilla-permissions").build());
            } catch (IOException e) {
                throw new MessagingException("Cannot connect to NATS at " + settings.servers() + " to collect the "
                        + "services' usage: " + e.getMessage(), e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new MessagingException("Interrupted while connecting to NATS", e);
            }
            try {
                Map<String, ServiceUsage> found = new TreeMap<>();
                for (InfoResponse info : new Discovery(connection, wait.toMillis(), Integer.MAX_VALUE).info()) {
                    Map<String, String> metadata = info.getMetadata() == null ? Map.of() : info.getMetadata();
                    String name = metadata.get(ServiceUsage.SERVICE_KEY);
                    if (name != null) {
                        ServiceUsage usage = services.computeIfAbsent(name, n -> new ServiceUsage(n, info.getName()));
                        usage.merge(metadata);
                        found.put(usage.natsName, usage);
                    }
                }
                askUsage(connection, found, wait);
            } catch (TimeoutException e) {
                throw new MessagingException("NATS did not confirm the usage requests in time", e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new MessagingException("Interrupted while collecting the services' usage", e);
            } finally {
                try {
                    connection.close();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return this;
        }

        /** Asks every instance of each service found what it does, and merges the answers that come within the wait. */
        private static void askUsage(Connection connection, Map<String, ServiceUsage> found, Duration wait)
                throws InterruptedException, TimeoutException {
            if (found.isEmpty()) {
                return;
            }
            String inbox = connection.createInbox();
            Subscription answers = connection.subscribe(inbox);
            try {
                for (String natsName : found.keySet()) {
                    connection.publish(ServiceUsage.USAGE_PREFIX + natsName, inbox, new byte[0]);
                }
                connection.flush(wait);
                long deadline = System.nanoTime() + wait.toNanos();
                while (System.nanoTime() - deadline < 0) {
                    Message answer = answers.nextMessage(Duration.ofNanos(Math.max(deadline - System.nanoTime(), 1)));
                    if (answer == null) {
                        continue;
                    }
                    String json = new String(answer.getData(), StandardCharsets.UTF_8);
                    for (ServiceUsage usage : found.values()) {
                        if (usage.name.equals(ServiceUsage.serviceOf(json))) {
                            usage.mergeUsage(json);
                        }
                    }
                }
            } finally {
                answers.unsubscribe();
            }
        }

        /**
         * Adds a service that {@link #collect(NatsSettings, Duration)} may not have seen (not running then): it gets
         * its inbox and {@code $SRV} registration, and what is added for it here.
         *
         * @param name the service's name
         * @return this builder
         * @throws IllegalArgumentException if the name is blank or has whitespace
         * @throws NullPointerException     if {@code name} is {@code null}
         */
        public Builder service(String name) {
            services.computeIfAbsent(checkName(name), n -> new ServiceUsage(n, ServiceUsage.natsName(n)));
            return this;
        }

        /**
         * Lets a service publish to a subject it was not seen publishing to, such as a request subject it calls only
         * later. Adds the service if needed.
         *
         * @param service the service's name
         * @param subject a subject; wildcards allowed ({@code orders.>})
         * @return this builder
         * @throws IllegalArgumentException if the service name or subject is blank or has whitespace
         * @throws NullPointerException     if an argument is {@code null}
         */
        public Builder allowPublish(String service, String subject) {
            service(service);
            extraPublish.computeIfAbsent(service, s -> new TreeSet<>()).add(checkSubject(subject));
            return this;
        }

        /**
         * Lets a service subscribe to a subject it was not seen subscribing to. Adds the service if needed.
         *
         * @param service the service's name
         * @param subject a subject, wildcards allowed; {@code "subject group"} for a queue subscription in that group
         * @return this builder
         * @throws IllegalArgumentException if the service name or subject is blank
         * @throws NullPointerException     if an argument is {@code null}
         */
        public Builder allowSubscribe(String service, String subject) {
            service(service);
            Objects.requireNonNull(subject, "subject");
            if (subject.isBlank()) {
                throw new IllegalArgumentException("subject must not be blank");
            }
            extraSubscribe.computeIfAbsent(service, s -> new TreeSet<>()).add(subject.strip());
            return this;
        }

        /**
         * Adds a user without restrictions, for operators' tools ({@code nats} CLI, the central configuration
         * command, this tool's own {@code collect}) and a test system's capture. Give it to no service.
         *
         * @param name the user's name (shown as a comment in the configuration)
         * @return this builder
         * @throws IllegalArgumentException if the name is blank or has whitespace
         * @throws NullPointerException     if {@code name} is {@code null}
         */
        public Builder unrestrictedUser(String name) {
            unrestricted.add(checkName(name));
            return this;
        }

        /**
         * Uses this NKey seed for a user instead of a new one, so a regenerated configuration keeps the keys that are
         * already deployed.
         *
         * @param user the service or unrestricted user
         * @param seed a user NKey seed (starts with {@code SU})
         * @return this builder
         * @throws IllegalArgumentException if the seed is not a user NKey seed
         * @throws NullPointerException     if an argument is {@code null}
         */
        public Builder seed(String user, char[] seed) {
            Objects.requireNonNull(user, "user");
            Objects.requireNonNull(seed, "seed");
            publicKeyOf(user, seed.clone());
            seeds.put(user, seed.clone());
            return this;
        }

        /**
         * Builds the permissions, with a new NKey for each user that was given no seed.
         *
         * @return the permissions
         * @throws IllegalStateException if there is no user, or a name is both a service and an unrestricted user
         */
        public NatsPermissions build() {
            if (services.isEmpty() && unrestricted.isEmpty()) {
                throw new IllegalStateException("No NATS user: collect(...) found no Flotilla service; add services "
                        + "with service(...) or start the system first");
            }
            Set<String> both = new TreeSet<>(services.keySet());
            both.retainAll(unrestricted);
            if (!both.isEmpty()) {
                throw new IllegalStateException("Users " + both + " are both services and unrestricted users");
            }
            Map<String, User> users = new LinkedHashMap<>();
            SecureRandom random = new SecureRandom();
            for (ServiceUsage usage : services.values()) {
                char[] seed = seedOf(usage.name, random);
                users.put(usage.name, new User(usage.name, usage.natsName, seed, publicKeyOf(usage.name, seed),
                        Grants.of(usage, extraPublish.getOrDefault(usage.name, Set.of()),
                                  extraSubscribe.getOrDefault(usage.name, Set.of()))));
            }
            for (String name : unrestricted) {
                char[] seed = seedOf(name, random);
                users.put(name, new User(name, ServiceUsage.natsName(name), seed, publicKeyOf(name, seed), null));
            }
            return new NatsPermissions(Collections.unmodifiableMap(users));
        }

        private char[] seedOf(String user, SecureRandom random) {
            char[] given = seeds.get(user);
            if (given != null) {
                return given.clone();
            }
            try {
                return NKey.createUser(random).getSeed();
            } catch (IOException | GeneralSecurityException e) {
                throw new IllegalStateException("Cannot create an NKey for '" + user + "': " + e.getMessage(), e);
            }
        }

        private static String publicKeyOf(String user, char[] seed) {
            try {
                char[] key = NKey.fromSeed(seed).getPublicKey();
                if (key.length == 0 || key[0] != 'U') {
                    throw new IllegalArgumentException("The seed given for '" + user + "' is not a user NKey seed");
                }
                return new String(key);
            } catch (IOException | GeneralSecurityException | IllegalArgumentException | IllegalStateException e) {
                throw new IllegalArgumentException("The seed given for '" + user + "' is not a valid user NKey seed",
                        e);
            }
        }

        private static String checkName(String name) {
            Objects.requireNonNull(name, "name");
            if (name.isBlank() || name.chars().anyMatch(Character::isWhitespace)) {
                throw new IllegalArgumentException("A user name must be non-blank without whitespace, was '" + name
                        + "'");
            }
            return name;
        }

        private static String checkSubject(String subject) {
            Objects.requireNonNull(subject, "subject");
            if (subject.isBlank() || subject.chars().anyMatch(Character::isWhitespace)) {
                throw new IllegalArgumentException("A subject must be non-blank without whitespace, was '" + subject
                        + "'");
            }
            return subject;
        }
    }
}
