package dev.flotilla.messaging.permissions;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import dev.flotilla.messaging.MessagingException;
import dev.flotilla.messaging.NatsSettings;

/**
 * The command line of least-privilege NATS permissions: collects what the services of a running (development) system
 * do on NATS and writes the nats-server configuration that allows exactly that.
 * <pre>
 * java -cp ... dev.flotilla.messaging.permissions.NatsPermissionsCommand --out DIR [--server URL] [--wait DURATION]
 *     [--seed-file FILE] [--admin NAME]... [--allow-publish SERVICE=SUBJECT]... [--allow-subscribe SERVICE=SUBJECT]...
 *     [--service NAME]...
 * </pre>
 * It writes {@code DIR/authorization.conf} (the {@code authorization} block to include in {@code nats.conf}; public
 * keys only) and {@code DIR/<user>.nk} (each user's NKey seed, readable by the owner only; a seed already there is
 * kept, so regenerating does not change deployed keys), and prints the configuration each service needs
 * ({@code messaging.nats.nkey-seed=${file:DIR/<service>.nk}} and {@code messaging.nats.inbox-prefix}). {@code --server}
 * defaults to the {@code NATS_URL} environment variable, else {@code nats://127.0.0.1:4222}; {@code --wait} (how long
 * to collect {@code $SRV.INFO} answers, ISO-8601) defaults to {@code PT1S}; {@code --seed-file} is the NKey seed to
 * connect with once permissions are in force (an {@code --admin} user's); {@code --admin} adds an unrestricted user
 * for operators' tools. Exit status 0 on success, 1 when the command failed (NATS unreachable, no service answered, a
 * file cannot be written), 2 for a usage error; arguments are checked before connecting.
 */
public final class NatsPermissionsCommand {
    private static final String USAGE = "usage: NatsPermissionsCommand --out DIR [--server URL] [--wait DURATION] "
            + "[--seed-file FILE] [--admin NAME]... [--allow-publish SERVICE=SUBJECT]... "
            + "[--allow-subscribe SERVICE=SUBJECT]... [--service NAME]...";

    private NatsPermissionsCommand() {
    }

    /**
     * Runs the command and exits with its status.
     *
     * @param args the arguments (see the class description)
     */
    public static void main(String[] args) {
        int status = run(args, System.out, System.err);
        if (status != 0) {
            System.exit(status);
        }
    }

    /** The parsed arguments. */
    private record Arguments(Path out, String server, Duration collectFor, Path seedFile, List<String> admins,
                             List<String[]> allowPublish, List<String[]> allowSubscribe, List<String> services) {
    }

    /**
     * Runs the command, printing to the given streams; for tests and embedding.
     *
     * @param args the arguments (see the class description)
     * @param out  where results go
     * @param err  where errors and the usage go
     * @return 0 on success, 1 when the command failed, 2 for a usage error
     */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        Arguments arguments;
        try {
            arguments = parse(args);
        } catch (IllegalArgumentException e) {
            err.println(e.getMessage());
            err.println(USAGE);
            return 2;
        }
        try {
            NatsSettings.Builder settings = NatsSettings.builder().server(arguments.server()).reconnectMaxAttempts(0);
            if (arguments.seedFile() != null) {
                settings.nkeySeed(Files.readString(arguments.seedFile()).strip());
            }
            NatsPermissions.Builder builder = NatsPermissions.builder().collect(settings.build(), arguments.collectFor());
            arguments.services().forEach(builder::service);
            arguments.admins().forEach(builder::unrestrictedUser);
            arguments.allowPublish().forEach(p -> builder.allowPublish(p[0], p[1]));
            arguments.allowSubscribe().forEach(p -> builder.allowSubscribe(p[0], p[1]));
            Files.createDirectories(arguments.out());
            NatsPermissions permissions;
            try {
                permissions = builder.build();
            } catch (IllegalStateException e) {
                err.println(e.getMessage());
                return 1;
            }
            // keys already written are kept: build once to learn the users, then again with their seeds
            NatsPermissions.Builder again = builder;
            for (String user : permissions.users()) {
                existingSeed(arguments.out(), user).ifPresent(seed -> again.seed(user, seed));
            }
            permissions = again.build();
            write(arguments.out(), permissions, out);
            return 0;
        } catch (MessagingException | IllegalArgumentException | IllegalStateException e) {
            err.println("nats-permissions: " + e.getMessage());
            return 1;
        } catch (IOException e) {
            err.println("nats-permissions: cannot read or write " + e.getMessage());
            return 1;
        }
    }

    private static Arguments parse(String[] args) {
        Path out = null;
        String server = Optional.ofNullable(System.getenv("NATS_URL")).orElse("nats://127.0.0.1:4222");
        Duration wait = Duration.ofSeconds(1);
        Path seedFile = null;
        List<String> admins = new ArrayList<>();
        List<String[]> allowPublish = new ArrayList<>();
        List<String[]> allowSubscribe = new ArrayList<>();
        List<String> services = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String option = args[i];
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException(option.startsWith("--") ? option + " needs a value"
                        : "unexpected argument '" + option + "'");
            }
            String value = args[++i];
            switch (option) {
                case "--out" -> out = Path.of(value);
                case "--server" -> server = value;
                case "--wait" -> wait = duration(value);
                case "--seed-file" -> seedFile = Path.of(value);
                case "--admin" -> admins.add(value);
                case "--service" -> services.add(value);
                case "--allow-publish" -> allowPublish.add(pair(option, value));
                case "--allow-subscribe" -> allowSubscribe.add(pair(option, value));
                default -> throw new IllegalArgumentException("unknown option '" + option + "'");
            }
        }
        if (out == null) {
            throw new IllegalArgumentException("--out DIR is required");
        }
        return new Arguments(out, server, wait, seedFile, admins, allowPublish, allowSubscribe, services);
    }

    private static Duration duration(String value) {
        try {
            Duration d = Duration.parse(value);
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException("--wait must be positive, was " + value);
            }
            return d;
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("--wait must be an ISO-8601 duration such as PT1S, was '" + value
                    + "'");
        }
    }

    private static String[] pair(String option, String value) {
        int eq = value.indexOf('=');
        if (eq <= 0 || eq == value.length() - 1) {
            throw new IllegalArgumentException(option + " must be SERVICE=SUBJECT, was '" + value + "'");
        }
        return new String[] {value.substring(0, eq), value.substring(eq + 1)};
    }

    private static Optional<char[]> existingSeed(Path dir, String user) throws IOException {
        Path file = dir.resolve(user + ".nk");
        return Files.isRegularFile(file) ? Optional.of(Files.readString(file).strip().toCharArray())
                : Optional.empty();
    }

    private static void write(Path dir, NatsPermissions permissions, PrintStream out) throws IOException {
        Path conf = dir.resolve("authorization.conf");
        Files.writeString(conf, permissions.serverConfig());
        out.println("wrote " + conf + " (include it in nats.conf)");
        for (String user : permissions.users()) {
            Path seed = dir.resolve(user + ".nk");
            if (!Files.exists(seed)) {
                Files.createFile(seed);
                try {
                    Files.setPosixFilePermissions(seed, PosixFilePermissions.fromString("rw-------"));
                } catch (UnsupportedOperationException e) {
                    // not a POSIX file system: the directory's own protection applies
                }
            }
            Files.writeString(seed, permissions.serviceConfig(user).get(NatsPermissions.SEED_KEY) + "\n");
            out.println(user + ": " + NatsPermissions.SEED_KEY + "=${file:" + seed.toAbsolutePath() + "} "
                    + NatsPermissions.INBOX_KEY + "=" + permissions.serviceConfig(user).get(NatsPermissions.INBOX_KEY));
        }
    }
}
