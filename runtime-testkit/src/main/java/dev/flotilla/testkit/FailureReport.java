package dev.flotilla.testkit;

import java.util.Collection;
import java.util.List;

/** What a failing test prints: each service's recent log lines and the captured messages. */
final class FailureReport {
    /** How many recent log lines and messages a failing test prints. */
    static final int DUMP_LINES = 40;

    private FailureReport() {
    }

    /**
     * The report.
     *
     * @param test      the failed test's display name
     * @param transport the system's transport
     * @param services  the names of the system's services
     * @param logs      their log lines
     * @param messages  the captured messages
     * @return the text, starting with a blank line
     */
    static String of(String test, String transport, Collection<String> services, LogCapture logs,
                     Messages messages) {
        StringBuilder out = new StringBuilder("\n==== Flotilla test system after failed test '").append(test)
                .append("' (transport: ").append(transport).append(") ====\n");
        if (!LogCapture.available()) {
            out.append("---- log lines: not captured (the testkit reads them through Logback, which is not SLF4J's "
                               + "backend here)\n");
            services = List.of();
        }
        for (String name : services) {
            List<LogLine> lines = logs.lines(name);
            out.append("---- ").append(name).append(": last ").append(Math.min(DUMP_LINES, lines.size()))
                    .append(" of ").append(lines.size()).append(" log lines\n");
            lines.subList(Math.max(0, lines.size() - DUMP_LINES), lines.size())
                    .forEach(line -> out.append("  ").append(line).append('\n'));
        }
        List<CapturedMessage> captured = messages.all();
        out.append("---- messages: last ").append(Math.min(DUMP_LINES, captured.size())).append(" of ")
                .append(captured.size()).append('\n');
        captured.subList(Math.max(0, captured.size() - DUMP_LINES), captured.size())
                .forEach(m -> out.append("  ").append(m).append('\n'));
        return out.toString();
    }
}
