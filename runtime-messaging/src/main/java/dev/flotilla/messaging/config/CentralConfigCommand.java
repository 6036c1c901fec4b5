package dev.flotilla.messaging.config;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

import dev.flotilla.messaging.MessagingException;
import dev.flotilla.messaging.NatsSettings;

/**
 * The command line of the central configuration:
 * <pre>
 * java -cp ... dev.flotilla.messaging.config.CentralConfigCommand [--server URL] [--bucket NAME] COMMAND ...
 *   create-bucket [HISTORY]     create the bucket (10 revisions per key by default) if it does not exist
 *   get KEY                     print a key's value
 *   put KEY VALUE               write a key
 *   delete KEY                  delete a key (its history stays)
 *   list [SCOPE]                print key=value of the bucket, or of 'shared' or one service
 *   effective SERVICE           print what a service reads from the bucket (shared keys overlaid with its own)
 *   history KEY                 print a key's revisions, oldest first
 *   revert KEY REVISION         put an earlier revision's value back
 *   diff FILE.yaml              print what 'load' would change: + new, ~ changed, - in the bucket, not the file
 *   load FILE.yaml              write the file's keys (laid out like the bucket: shared: and one section per service)
 * </pre>
 * {@code --server} defaults to the {@code NATS_URL} environment variable, else {@code nats://127.0.0.1:4222};
 * {@code --bucket} defaults to {@value CentralConfig#DEFAULT_BUCKET}. Exit status 0 on success, 1 when the command
 * failed, 2 for a usage error. Values of keys that look secret are printed, since the caller asked for them; keep
 * secrets out of the bucket ({@code ${env:NAME}}, {@code ${file:/path}}).
 */
public final class CentralConfigCommand {
    private static final String USAGE = "usage: CentralConfigCommand [--server URL] [--bucket NAME] "
            + "create-bucket [HISTORY] | get KEY | put KEY VALUE | delete KEY | list [SCOPE] | effective SERVICE "
            + "| history KEY | revert KEY REVISION | diff FILE.yaml | load FILE.yaml";

    private CentralConfigCommand() {
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
     * Runs the command, printing to the given streams; for tests and embedding.
     *
     * @param args the arguments (see the class description)
     * @param out  where results go
     * @param err  where errors and the usage go
     * @return 0 on success, 1 when the command failed, 2 for a usage error
     */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        String server = Optional.ofNullable(System.getenv("NATS_URL")).orElse("nats://127.0.0.1:4222");
        String bucket = CentralConfig.DEFAULT_BUCKET;
        List<String> rest = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            if ((args[i].equals("--server") || args[i].equals("--bucket")) && i + 1 < args.length) {
                if (args[i].equals("--server")) {
                    server = args[++i];
                } else {
                    bucket = args[++i];
                }
            } else {
                rest.add(args[i]);
            }
        }
        if (rest.isEmpty()) {
            err.println(USAGE);
            return 2;
        }
        String command = rest.get(0);
        List<String> operands = rest.subList(1, rest.size());
        try (CentralConfig central = CentralConfig.connect(NatsSettings.builder().server(server)
                                                                   .reconnectMaxAttempts(0).build(), bucket)) {
            return execute(central, command, operands, out, err);
        } catch (MessagingException | IllegalArgumentException e) {
            err.println(command + ": " + e.getMessage());
            return 1;
        }
    }

    private static int execute(CentralConfig central, String command, List<String> args, PrintStream out,
                               PrintStream err) {
        switch (command) {
            case "create-bucket" -> {
                int history = args.isEmpty() ? CentralConfig.DEFAULT_HISTORY : Integer.parseInt(args.get(0));
                out.println(central.createBucket(history) ? "created bucket " + central.bucket()
                                    : "bucket " + central.bucket() + " exists");
                return 0;
            }
            case "get" -> {
                if (args.size() != 1) {
                    return usage(err);
                }
                Optional<String> value = central.get(args.get(0));
                if (value.isEmpty()) {
                    err.println("get: no key " + args.get(0));
                    return 1;
                }
                out.println(value.get());
                return 0;
            }
            case "put" -> {
                if (args.size() != 2) {
                    return usage(err);
                }
                out.println(args.get(0) + " revision " + central.put(args.get(0), args.get(1)));
                return 0;
            }
            case "delete" -> {
                if (args.size() != 1) {
                    return usage(err);
                }
                central.delete(args.get(0));
                out.println("deleted " + args.get(0));
                return 0;
            }
            case "list" -> {
                central.list(args.isEmpty() ? "" : args.get(0)).forEach((k, v) -> out.println(k + "=" + v));
                return 0;
            }
            case "effective" -> {
                if (args.size() != 1) {
                    return usage(err);
                }
                central.effective(args.get(0)).forEach((k, v) -> out.println(k + "=" + v));
                return 0;
            }
            case "history" -> {
                if (args.size() != 1) {
                    return usage(err);
                }
                for (CentralConfig.Revision r : central.history(args.get(0))) {
                    out.println(r.revision() + " " + r.created().toInstant() + " " + r.operation()
                                        + r.value().map(v -> " " + v).orElse(""));
                }
                return 0;
            }
            case "revert" -> {
                if (args.size() != 2) {
                    return usage(err);
                }
                long revision = central.revert(args.get(0), Long.parseLong(args.get(1)));
                out.println(args.get(0) + " reverted to revision " + args.get(1) + " as revision " + revision);
                return 0;
            }
            case "diff", "load" -> {
                if (args.size() != 1) {
                    return usage(err);
                }
                Path file = Path.of(args.get(0));
                if (command.equals("load")) {
                    List<String> written = central.load(file);
                    written.forEach(k -> out.println("put " + k));
                    out.println(written.size() + " key(s) written");
                    return 0;
                }
                diff(CentralConfig.readYaml(file), central.list(""), out);
                return 0;
            }
            default -> {
                return usage(err);
            }
        }
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

    private static int usage(PrintStream err) {
        err.println(USAGE);
        return 2;
    }
}
