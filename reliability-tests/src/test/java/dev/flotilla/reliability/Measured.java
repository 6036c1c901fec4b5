package dev.flotilla.reliability;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a scenario measured, printed as one line {@code [reliability] <scenario>: key=value, ...} so a run's figures
 * can be read from the console (and copied into docs/reliability.md).
 */
final class Measured {
    private final String scenario;
    private final Map<String, Object> figures = new LinkedHashMap<>();

    private Measured(String scenario) {
        this.scenario = scenario;
    }

    static Measured scenario(String name) {
        return new Measured(name);
    }

    Measured put(String key, Object value) {
        figures.put(key, value);
        return this;
    }

    /** Prints the figures and returns them as text. */
    String print() {
        StringBuilder line = new StringBuilder("[reliability] ").append(scenario).append(':');
        String sep = " ";
        for (Map.Entry<String, Object> e : figures.entrySet()) {
            line.append(sep).append(e.getKey()).append('=').append(e.getValue());
            sep = ", ";
        }
        System.out.println(line);
        return line.toString();
    }
}
