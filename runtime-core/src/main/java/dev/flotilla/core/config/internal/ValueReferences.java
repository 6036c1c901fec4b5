package dev.flotilla.core.config.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Resolves {@code ${env:NAME}} and {@code ${file:/path}} in central configuration values, so secrets stay out of
 * the bucket, and tells which keys hold secrets so their values are never logged. Stateless.
 */
final class ValueReferences {
    private static final Pattern REFERENCE = Pattern.compile("\\$\\{(env|file):([^}]+)}");
    private static final String[] SECRET_WORDS = {"password", "passwd", "secret", "token", "credential", "apikey",
            "api-key", "private-key", "seed"};

    private final UnaryOperator<String> environment;

    ValueReferences(UnaryOperator<String> environment) {
        this.environment = environment;
    }

    static ValueReferences fromProcess() {
        return new ValueReferences(System::getenv);
    }

    /**
     * The value with every reference replaced.
     *
     * @throws IllegalArgumentException naming the variable or file when one cannot be read
     */
    String resolve(String value) {
        if (value.indexOf("${") < 0) {
            return value;
        }
        Matcher m = REFERENCE.matcher(value);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String name = m.group(2).trim();
            String replacement;
            if (m.group(1).equals("env")) {
                replacement = environment.apply(name);
                if (replacement == null) {
                    throw new IllegalArgumentException("environment variable " + name + " is not set");
                }
            } else {
                try {
                    replacement = Files.readString(Path.of(name)).strip();
                } catch (IOException | RuntimeException e) {
                    throw new IllegalArgumentException("file " + name + " cannot be read (" + e.getClass()
                            .getSimpleName() + ")");
                }
            }
            m.appendReplacement(out, Matcher.quoteReplacement(replacement));
        }
        m.appendTail(out);
        return out.toString();
    }

    /** Whether a key's value must not be logged: its name says password, secret, token, credential or key. */
    static boolean looksSecret(String key) {
        String k = key.toLowerCase(Locale.ROOT);
        for (String word : SECRET_WORDS) {
            if (k.contains(word)) {
                return true;
            }
        }
        return k.endsWith("key") || k.endsWith("keys");
    }

    /** The value as it may appear in a log line. */
    static String printable(String key, String value) {
        if (value == null) {
            return "(removed)";
        }
        return looksSecret(key) ? "(hidden)" : "'" + value + "'";
    }
}
