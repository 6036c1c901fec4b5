package dev.flotilla.messaging.config;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

import dev.flotilla.core.config.internal.LiveConfig;
import dev.flotilla.messaging.MessagingException;
import dev.flotilla.messaging.NatsSettings;
import io.helidon.config.Config;

/**
 * The command line of the central configuration:
 * <pre>
 * java -cp ... dev.flotilla.messaging.config.CentralConfigCommand [OPTIONS] COMMAND ...
 *   create-bucket [HISTORY]     create the bucket (10 revisions per key by default) and its authors' bucket
 *   get KEY                     print a key's value
 *   put KEY VALUE               check and write a key
 *   delete KEY                  delete a key (its history stays)
 *   list [SCOPE]                print key=value of the bucket, or of 'shared' or one service
 *   effective SERVICE           print what a service reads from the bucket (shared keys overlaid with its own)
 *   history KEY                 print a key's revisions, oldest first: revision, time, author, operation, value
 *   revert KEY REVISION         check an earlier revision's value and put it back, unless the key changed meanwhile
 *   diff FILE.yaml              print what 'load' would change: + new, ~ changed, - in the bucket, not the file
 *   load FILE.yaml              check every changed key of the file, then write them (all or none are written)
 * OPTIONS
 *   --server URL                the NATS server (default: the services' settings, else NATS_URL, else
 *                               nats://127.0.0.1:4222)
 *   --bucket NAME               the bucket (default: config.central.bucket, else flotilla-config)
 *   --author NAME               who makes the change (default: FLOTILLA_AUTHOR, else USER)
 *   --expect-revision N         revert only if the key's newest revision is N
 *   --KEY=VALUE                 a configuration value, as on a service's command line
 *   --help                      print this and exit
 * </pre>
 * The connection (servers, user/password, token, NKey seed, credentials file, TLS) is configured as for the
 * services: the keys under {@code config.central.nats}, else {@code messaging.nats}, read from the same sources in
 * the same order (command-line {@code --KEY=VALUE}, system properties, environment variables such as
 * {@code MESSAGING_NATS_CREDENTIALS_dash_FILE}, {@code central-config.yaml} and {@code application.yaml} on the class
 * path); see {@link NatsSettings#create(Config)}. Secrets given there are never printed.
 *
 * <p>Every argument is checked before NATS is reached: {@code --help} works without a server. Writes ({@code put},
 * {@code load}, {@code revert}) are checked first with the checks the services make ({@link CentralConfig#check(Map)})
 * and refused, with the reason, when a service would refuse the value; each change records its author
 * ({@link CentralConfig#history(String)}). Exit status 0 on success, 1 when the command failed or a value was
 * refused, 2 for a usage error. Values of keys that look secret are printed by {@code get}, {@code list} and
 * {@code history}, since the caller asked for them; keep secrets out of the bucket ({@code ${env:NAME}},
 * {@code ${file:/path}}).
 */
public final class CentralConfigCommand {
    /** The name the command's configuration is loaded under: {@code central-config.yaml}, {@code central-config.*}. */
    static final String CONFIG_NAME = "central-config";
    private static final String USAGE = """
            usage: CentralConfigCommand [OPTIONS] COMMAND ...
              create-bucket [HISTORY]   create the bucket (HISTORY 1 to 64 revisions per key, default 10)
              get KEY                   print a key's value
              put KEY VALUE             check and write a key
              delete KEY                delete a key (its history stays)
              list [SCOPE]              print key=value of the bucket, or of 'shared' or one service
              effective SERVICE         print what a service reads from the bucket
              history KEY               print a key's revisions: revision, time, author, operation, value
              revert KEY REVISION       check an earlier revision's value and put it back
              diff FILE.yaml            print what 'load' would change
              load FILE.yaml            check the file's changed keys, then write them (all or none)
            options:
              --server URL              the NATS server (default: messaging.nats.servers, NATS_URL)
              --bucket NAME             the bucket (default: config.central.bucket, else flotilla-config)
              --author NAME             who makes the change (default: FLOTILLA_AUTHOR, else USER)
              --expect-revision N       revert only if the key's newest revision is N
              --KEY=VALUE               a setting, as on a service's command line (messaging.nats.* connects)
              --help                    print this and exit
            The connection is configured like the services': messaging.nats.* (or config.central.nats.*) from
            --KEY=VALUE, system properties, environment variables (MESSAGING_NATS_USER, ...), application.yaml.""";

    private CentralConfigCommand() {
    }

    /** The arguments once checked: nothing here has touched NATS. */
    private record Invocation(String command, List<String> operands, Optional<String> server, Optional<String> bucket,
                              Optional<String> author, Optional<Long> expectRevision, Map<String, String> overrides,
                              Map<String, String> file) {
    }

    /** A usage error: printed with the usage, exit status 2. */
    private static final class UsageException extends Exception {
        private static final long serialVersionUID = 1L;

        UsageException(String message) {
            super(message, null, false, false);
        }
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

    /**
     * Runs the command with this process's environment, printing to the given streams; for tests and embedding.
     *
     * @param args the arguments (see the class description)
     * @param out  where results (and {@code --help}) go
     * @param err  where errors and the usage go
     * @return 0 on success, 1 when the command failed or a value was refused, 2 for a usage error
     * @throws NullPointerException if an argument is {@code null}
     */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        return run(args, System.getenv(), out, err);
    }

    /** {@link #run(String[], PrintStream, PrintStream)} with the given environment variables. */
    static int run(String[] args, Map<String, String> environment, PrintStream out, PrintStream err) {
        Invocation invocation;
        try {
            invocation = parse(args);
        } catch (UsageException e) {
            err.println(e.getMessage());
            err.println(USAGE);
            return 2;
        }
        if (invocation == null) {
            out.println(USAGE);
            return 0;
        }
        Connect connect;
        try {
            connect = connect(invocation, environment);
        } catch (RuntimeException e) {
            err.println("invalid settings: " + e.getMessage());
            return 2;
        }
        String command = invocation.command();
        try (CentralConfig central = CentralConfig.connect(connect.settings(), connect.bucket())) {
            return execute(central, invocation, connect.author(), out, err);
        } catch (MessagingException | IllegalArgumentException | IllegalStateException e) {
            err.println(command + ": " + e.getMessage());
            return 1;
        }
    }

    /**
     * Checks every argument. Returns {@code null} for {@code --help}.
     */
    private static Invocation parse(String[] args) throws UsageException {
        Optional<String> server = Optional.empty();
        Optional<String> bucket = Optional.empty();
        Optional<String> author = Optional.empty();
        Optional<Long> expect = Optional.empty();
        Map<String, String> overrides = new HashMap<>();
        List<String> rest = new ArrayList<>();
        boolean options = true;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (!options || !arg.startsWith("-") || arg.equals("-")) {
                rest.add(arg);
                continue;
            }
            switch (arg) {
                case "--help", "-h" -> {
                    return null;
                }
                case "--" -> options = false;
                case "--server", "--bucket", "--author", "--expect-revision" -> {
                    if (i + 1 >= args.length) {
                        throw new UsageException(arg + " needs a value");
                    }
                    String value = args[++i];
                    switch (arg) {
                        case "--server" -> server = Optional.of(value);
                        case "--bucket" -> bucket = Optional.of(value);
                        case "--author" -> author = Optional.of(value);
                        default -> expect = Optional.of(revision(value, "--expect-revision"));
                    }
                }
                default -> {
                    int eq = arg.indexOf('=');
                    if (!arg.startsWith("--") || eq < 3) {
                        // A negative number is a value (put KEY -1); anything else is an unknown option.
                        if (arg.matches("-[0-9].*")) {
                            rest.add(arg);
                            continue;
                        }
                        throw new UsageException("unknown option " + arg);
                    }
                    overrides.put(arg.substring(2, eq), arg.substring(eq + 1));
                }
            }
        }
        if (rest.isEmpty()) {
            throw new UsageException("no command");
        }
        String command = rest.get(0);
        List<String> operands = List.copyOf(rest.subList(1, rest.size()));
        Map<String, String> file = Map.of();
        switch (command) {
            case "create-bucket" -> {
                arity(command, operands, 0, 1);
                if (!operands.isEmpty()) {
                    int history;
                    try {
                        history = Integer.parseInt(operands.get(0));
                    } catch (NumberFormatException e) {
                        throw new UsageException("create-bucket: HISTORY must be a number, was " + operands.get(0));
                    }
                    if (history < 1 || history > 64) {
                        throw new UsageException("create-bucket: HISTORY must be 1 to 64, was " + history);
                    }
                }
            }
            case "get", "delete", "effective", "history" -> arity(command, operands, 1, 1);
            case "list" -> arity(command, operands, 0, 1);
            case "put" -> arity(command, operands, 2, 2);
            case "revert" -> {
                arity(command, operands, 2, 2);
                revision(operands.get(1), "revert: REVISION");
            }
            case "diff", "load" -> {
                arity(command, operands, 1, 1);
                Path path = Path.of(operands.get(0));
                if (!Files.isRegularFile(path) || !Files.isReadable(path)) {
                    throw new UsageException(command + ": no readable file " + path);
                }
                try {
                    file = CentralConfig.readYaml(path);
                } catch (IllegalArgumentException e) {
                    throw new UsageException(command + ": " + e.getMessage());
                }
            }
            default -> throw new UsageException("unknown command " + command);
        }
        if (expect.isPresent() && !command.equals("revert")) {
            throw new UsageException("--expect-revision is for revert only");
        }
        return new Invocation(command, operands, server, bucket, author, expect, Map.copyOf(overrides), file);
    }

    private static void arity(String command, List<String> operands, int min, int max) throws UsageException {
        if (operands.size() < min || operands.size() > max) {
            throw new UsageException(command + ": expects " + (min == max ? min : min + " to " + max)
                    + " operand(s), got " + operands.size());
        }
    }

    private static long revision(String text, String what) throws UsageException {
        try {
            long revision = Long.parseLong(text);
            if (revision < 1) {
                throw new NumberFormatException();
            }
            return revision;
        } catch (NumberFormatException e) {
            throw new UsageException(what + " must be a revision number (1 or more), was " + text);
        }
    }

    /** How to connect, whom to record: read as the services read their settings. */
    private record Connect(NatsSettings settings, String bucket, String author) {
    }

    private static Connect connect(Invocation invocation, Map<String, String> environment) {
        Map<String, String> overrides = new HashMap<>(invocation.overrides());
        Config local = LiveConfig.local(CONFIG_NAME, overrides, environment);
        String natsKey = NatsConfigLayerProvider.natsKey(local);
        Optional<String> server = invocation.server();
        if (server.isEmpty() && !local.get(natsKey + ".servers").exists()) {
            server = Optional.ofNullable(environment.get("NATS_URL")).filter(url -> !url.isBlank());
        }
        server.ifPresent(url -> overrides.put(natsKey + ".servers", url));
        overrides.put(natsKey + ".reconnect.max-attempts", "0"); // one command: no waiting for a server to return
        Config config = LiveConfig.local(CONFIG_NAME, overrides, environment);
        NatsSettings settings = NatsSettings.create(config.get(natsKey));
        String bucket = invocation.bucket()
                .or(() -> config.get(NatsConfigLayerProvider.CONFIG_KEY + ".bucket").asString().asOptional()
                        .filter(b -> !b.isBlank()))
                .orElse(CentralConfig.DEFAULT_BUCKET);
        String author = invocation.author().filter(a -> !a.isBlank())
                .orElseGet(() -> CentralConfig.author(environment));
        return new Connect(settings, bucket, author);
    }

    private static int execute(CentralConfig central, Invocation invocation, String author, PrintStream out,
                               PrintStream err) {
        List<String> args = invocation.operands();
        String command = invocation.command();
        switch (command) {
            case "create-bucket" -> {
                int history = args.isEmpty() ? CentralConfig.DEFAULT_HISTORY : Integer.parseInt(args.get(0));
                out.println(central.createBucket(history) ? "created bucket " + central.bucket()
                                    : "bucket " + central.bucket() + " exists");
                return 0;
            }
            case "get" -> {
                Optional<String> value = central.get(args.get(0));
                if (value.isEmpty()) {
                    err.println("get: no key " + args.get(0));
                    return 1;
                }
                out.println(value.get());
                return 0;
            }
            case "put" -> {
                if (refused(command, central.check(Map.of(args.get(0), args.get(1))), err)) {
                    return 1;
                }
                out.println(args.get(0) + " revision " + central.put(args.get(0), args.get(1), author));
                return 0;
            }
            case "delete" -> {
                central.delete(args.get(0), author);
                out.println("deleted " + args.get(0));
                return 0;
            }
            case "list" -> {
                central.list(args.isEmpty() ? "" : args.get(0)).forEach((k, v) -> out.println(k + "=" + v));
                return 0;
            }
            case "effective" -> {
                central.effective(args.get(0)).forEach((k, v) -> out.println(k + "=" + v));
                return 0;
            }
            case "history" -> {
                for (CentralConfig.Revision r : central.history(args.get(0))) {
                    out.println(r.revision() + " " + r.created().toInstant() + " " + r.author().orElse("-") + " "
                                        + r.operation() + r.value().map(v -> " " + v).orElse(""));
                }
                return 0;
            }
            case "revert" -> {
                String key = args.get(0);
                long revision = Long.parseLong(args.get(1));
                List<CentralConfig.Revision> history = central.history(key);
                Optional<String> value = history.stream().filter(r -> r.revision() == revision).findFirst()
                        .flatMap(CentralConfig.Revision::value);
                if (value.isEmpty()) {
                    err.println("revert: key " + key + " has no revision " + revision + " with a value; see its "
                                        + "history");
                    return 1;
                }
                if (refused(command, central.check(Map.of(key, value.get())), err)) {
                    return 1;
                }
                // Compare-and-set against what the caller expects, else against the newest revision read above.
                long expected = invocation.expectRevision()
                        .orElse(history.get(history.size() - 1).revision());
                long written = central.revert(key, revision, expected, author);
                out.println(key + " reverted to revision " + revision + " as revision " + written);
                return 0;
            }
            case "diff" -> {
                diff(invocation.file(), central.list(""), out);
                return 0;
            }
            case "load" -> {
                Map<String, String> changes = central.changes(invocation.file());
                if (refused(command, central.check(changes), err)) {
                    err.println("load: nothing was written");
                    return 1;
                }
                List<String> written = central.load(changes, author);
                written.forEach(k -> out.println("put " + k));
                out.println(written.size() + " key(s) written");
                return 0;
            }
            default -> throw new IllegalStateException("unknown command " + command); // parse() refused it
        }
    }

    /** Prints each refused key with its reason; true when there is one. */
    private static boolean refused(String command, Map<String, String> refusals, PrintStream err) {
        refusals.forEach((key, reason) -> err.println(command + ": refused " + key + ": " + reason));
        return !refusals.isEmpty();
    }

    /** Only the scopes (first key segment) the file has are compared, so other services' keys do not show. */
    private static void diff(Map<String, String> file, Map<String, String> bucket, PrintStream out) {
        TreeSet<String> scopes = new TreeSet<>();
        file.keySet().forEach(k -> scopes.add(k.substring(0, k.indexOf('.') < 0 ? k.length() : k.indexOf('.'))));
        TreeSet<String> keys = new TreeSet<>(file.keySet());
        bucket.keySet().stream().filter(k -> scopes.stream().anyMatch(s -> k.startsWith(s + "."))).forEach(keys::add);
        for (String key : keys) {
            String in = file.get(key);
            String now = bucket.get(key);
            if (now == null) {
                out.println("+ " + key + "=" + in);
            } else if (in == null) {
                out.println("- " + key + "=" + now);
            } else if (!in.equals(now)) {
                out.println("~ " + key + "=" + now + " -> " + in);
            }
        }
    }
}
