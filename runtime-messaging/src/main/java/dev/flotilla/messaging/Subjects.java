package dev.flotilla.messaging;

import java.util.Objects;

/**
 * Subject syntax shared by both transports: dot-separated tokens, {@code *} matches one token, {@code >} matches
 * the rest (last token only).
 */
final class Subjects {

    private Subjects() {
    }

    /** Checks a subject to publish to: no wildcards. A single pass, as it runs on every publish. */
    static String checkConcrete(String subject) {
        Objects.requireNonNull(subject, "subject");
        int n = subject.length();
        boolean tokenStart = true;
        for (int i = 0; i < n; i++) {
            char c = subject.charAt(i);
            if (c == '.') {
                if (tokenStart) {
                    throw new IllegalArgumentException("Subject '" + subject + "' has an empty token");
                }
                tokenStart = true;
                continue;
            }
            if (Character.isWhitespace(c)) {
                throw new IllegalArgumentException("Subject must be non-empty without whitespace, was '"
                        + subject + "'");
            }
            if ((c == '*' || c == '>') && tokenStart && (i + 1 == n || subject.charAt(i + 1) == '.')) {
                throw new IllegalArgumentException("Cannot publish to wildcard subject '" + subject
                        + "': wildcards are for subscriptions only");
            }
            tokenStart = false;
        }
        if (tokenStart) {
            throw new IllegalArgumentException(n == 0 ? "Subject must be non-empty without whitespace, was ''"
                    : "Subject '" + subject + "' has an empty token");
        }
        return subject;
    }

    /** Checks a subject to subscribe to: wildcards allowed. */
    static String checkPattern(String subject) {
        Objects.requireNonNull(subject, "subject");
        if (subject.isEmpty() || subject.chars().anyMatch(c -> Character.isWhitespace(c))) {
            throw new IllegalArgumentException("Subject must be non-empty without whitespace, was '" + subject + "'");
        }
        String[] tokens = subject.split("\\.", -1);
        for (int i = 0; i < tokens.length; i++) {
            String token = tokens[i];
            if (token.isEmpty()) {
                throw new IllegalArgumentException("Subject '" + subject + "' has an empty token");
            }
            if (token.equals(">") && i != tokens.length - 1) {
                throw new IllegalArgumentException("Subject '" + subject + "': '>' may only be the last token");
            }
        }
        return subject;
    }

    /** Whether a concrete subject matches a pattern. */
    static boolean matches(String pattern, String subject) {
        String[] p = pattern.split("\\.", -1);
        String[] s = subject.split("\\.", -1);
        for (int i = 0; i < p.length; i++) {
            if (p[i].equals(">")) {
                return s.length > i;
            }
            if (i >= s.length || !(p[i].equals("*") || p[i].equals(s[i]))) {
                return false;
            }
        }
        return p.length == s.length;
    }

    /** Turns a subject into a name of letters, digits, '-' and '_' (for durable and endpoint names). */
    static String toName(String subject) {
        StringBuilder sb = new StringBuilder(subject.length());
        for (char c : subject.toCharArray()) {
            if (c == '*') {
                sb.append("_any_");
            } else if (c == '>') {
                sb.append("_all_");
            } else if (Character.isLetterOrDigit(c) && c < 128 || c == '-' || c == '_') {
                sb.append(c);
            } else {
                sb.append('_');
            }
        }
        return sb.toString();
    }

    /** Whether a subject is concrete and ends in a major version, such as {@code orders.order-placed.v1}. */
    static boolean isVersioned(String subject) {
        return subject.matches("[^*>]+\\.v[1-9][0-9]*");
    }
}
