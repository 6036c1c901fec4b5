package dev.flotilla.messaging.outbox;

import java.util.Objects;

import dev.flotilla.messaging.MessagingHeaders;

/** What {@link Outbox#add} refuses before it writes a row: it would fail only later, at the relay. */
final class OutboxChecks {

    private OutboxChecks() {
    }

    static void subject(String subject) {
        Objects.requireNonNull(subject, "subject");
        boolean valid = !subject.isEmpty() && subject.length() <= 255 && !subject.startsWith(".")
                && !subject.endsWith(".") && !subject.contains("..");
        for (int i = 0; valid && i < subject.length(); i++) {
            char c = subject.charAt(i);
            valid = c > ' ' && c < 127 && c != '*' && c != '>';
        }
        if (!valid) {
            throw new IllegalArgumentException("Not a concrete subject (dot-separated tokens, no wildcards or "
                    + "whitespace, at most 255 characters): '" + subject + "'");
        }
    }

    static void messageId(String messageId) {
        Objects.requireNonNull(messageId, "messageId");
        boolean valid = !messageId.isEmpty() && messageId.length() <= 255;
        for (int i = 0; valid && i < messageId.length(); i++) {
            char c = messageId.charAt(i);
            valid = c > ' ' && c != 127;
        }
        if (!valid) {
            throw new IllegalArgumentException("A message id must be 1 to 255 characters without whitespace or "
                    + "control characters, was '" + messageId + "'");
        }
    }

    static void header(String name, String value) {
        Objects.requireNonNull(value, "header " + name);
        if (name.isEmpty() || name.chars().anyMatch(c -> c <= ' ' || c == ':' || c >= 127)
                || value.chars().anyMatch(c -> c == '\r' || c == '\n')) {
            throw new IllegalArgumentException("Invalid header '" + name + "'");
        }
        if (name.equalsIgnoreCase(MessagingHeaders.MESSAGE_ID)) {
            throw new IllegalArgumentException(MessagingHeaders.MESSAGE_ID + " is the message id: pass it as such");
        }
    }
}
