package dev.flotilla.reliability;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.xml.parsers.DocumentBuilderFactory;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

/**
 * This repository's Maven reactor as its poms say, read without Maven: the modules, the jar each builds
 * ({@code build/finalName}, inherited from parents and interpolated, else {@code <artifactId>-<version>}), the
 * reactor modules each depends on (every scope and BOM imports, transitively: what {@code -pl <module> -am} builds),
 * and a service's port from its own {@code <artifactId>.yaml}. The multi-host test runs the jars found here, and the
 * deployment checks compare the Dockerfiles and workflows with it, so neither hard-codes a file name.
 */
final class Reactor {
    private static final Pattern PROPERTY = Pattern.compile("\\$\\{([^}]+)}");

    /** A module: its folder (relative to the root), its pom's parsed facts. */
    record Module(String artifactId, Path dir, String parent, String version, String finalName,
                  Map<String, String> properties, List<String> dependencies, List<String> modules) {
    }

    private final Path root;
    private final Map<String, Module> modules = new LinkedHashMap<>();

    private Reactor(Path root) {
        this.root = root;
    }

    /** The reactor of the repository this test runs in (found upwards from the working directory). */
    static Reactor load() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !(Files.exists(dir.resolve("pom.xml")) && Files.isDirectory(dir.resolve("sample-system")))) {
            dir = dir.getParent();
        }
        if (dir == null) {
            throw new IllegalStateException("no repository root (pom.xml beside sample-system/) above "
                                                    + Path.of("").toAbsolutePath());
        }
        Reactor reactor = new Reactor(dir);
        reactor.read(Path.of(""));
        return reactor;
    }

    private void read(Path dir) {
        Module module = parse(dir);
        modules.put(module.artifactId(), module);
        for (String child : module.modules()) {
            read(dir.resolve(child).normalize());
        }
    }

    private Module parse(Path dir) {
        Element project;
        try {
            project = DocumentBuilderFactory.newInstance().newDocumentBuilder()
                    .parse(root.resolve(dir).resolve("pom.xml").toFile()).getDocumentElement();
        } catch (Exception e) {
            throw new IllegalStateException("cannot read " + root.resolve(dir).resolve("pom.xml") + ": " + e, e);
        }
        Optional<Element> parent = child(project, "parent");
        Map<String, String> properties = new LinkedHashMap<>();
        child(project, "properties").ifPresent(p -> children(p).forEach(e -> properties.put(e.getTagName(),
                                                                                          e.getTextContent().trim())));
        List<String> dependencies = new ArrayList<>();
        child(project, "dependencies").ifPresent(d -> children(d).forEach(
                dep -> child(dep, "artifactId").ifPresent(a -> dependencies.add(a.getTextContent().trim()))));
        // A BOM imported from the reactor is built from too.
        child(project, "dependencyManagement").flatMap(m -> child(m, "dependencies")).ifPresent(d -> children(d)
                .stream().filter(dep -> text(dep, "scope").orElse("").equals("import"))
                .forEach(dep -> child(dep, "artifactId").ifPresent(a -> dependencies.add(a.getTextContent().trim()))));
        List<String> children = new ArrayList<>();
        child(project, "modules").ifPresent(m -> children(m).forEach(e -> children.add(e.getTextContent().trim())));
        return new Module(text(project, "artifactId").orElseThrow(), dir,
                          parent.flatMap(p -> text(p, "artifactId")).orElse(null),
                          text(project, "version").or(() -> parent.flatMap(p -> text(p, "version"))).orElseThrow(),
                          child(project, "build").flatMap(b -> text(b, "finalName")).orElse(null),
                          properties, dependencies, children);
    }

    /** The repository root. */
    Path root() {
        return root;
    }

    /** A module by artifact id. */
    Module module(String artifactId) {
        Module module = modules.get(artifactId);
        if (module == null) {
            throw new IllegalArgumentException("no module " + artifactId + " in the reactor " + modules.keySet());
        }
        return module;
    }

    /** The folder of a module, absolute. */
    Path dir(String artifactId) {
        return root.resolve(module(artifactId).dir());
    }

    /** The file name of the jar a module builds: its {@code finalName} (its own or a parent's) plus {@code .jar}. */
    String jarName(String artifactId) {
        Module module = module(artifactId);
        String finalName = null;
        for (Module m = module; m != null && finalName == null; m = m.parent() == null ? null : modules.get(m.parent())) {
            finalName = m.finalName();
        }
        return interpolate(module, finalName == null ? "${project.artifactId}-${project.version}" : finalName)
                + ".jar";
    }

    /** Where the build puts a module's jar ({@code target/<jarName>}), whether or not it was built. */
    Path jar(String artifactId) {
        return dir(artifactId).resolve("target").resolve(jarName(artifactId));
    }

    /**
     * The reactor modules a module is built from: itself, every reactor module it depends on in any scope
     * (transitively), and their parents (whose poms they inherit).
     */
    Set<String> buildInputs(String artifactId) {
        Set<String> found = new LinkedHashSet<>();
        Deque<String> todo = new ArrayDeque<>(List.of(artifactId));
        while (!todo.isEmpty()) {
            String next = todo.pop();
            if (!modules.containsKey(next) || !found.add(next)) {
                continue;
            }
            Module module = modules.get(next);
            todo.addAll(module.dependencies());
            if (module.parent() != null) {
                todo.add(module.parent());
            }
        }
        return found;
    }

    /** A service's {@code server.port}, from its {@code src/main/resources/<artifactId>.yaml}. */
    int port(String artifactId) {
        Path yaml = dir(artifactId).resolve("src/main/resources/" + artifactId + ".yaml");
        try {
            JsonNode port = new ObjectMapper(new YAMLFactory()).readTree(yaml.toFile()).path("server").path("port");
            if (!port.canConvertToInt()) {
                throw new IllegalStateException(yaml + " has no server.port");
            }
            return port.asInt();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private String interpolate(Module module, String value) {
        String result = value;
        for (int round = 0; round < 10 && result.contains("${"); round++) {
            Matcher m = PROPERTY.matcher(result);
            StringBuilder out = new StringBuilder();
            while (m.find()) {
                m.appendReplacement(out, Matcher.quoteReplacement(property(module, m.group(1))));
            }
            m.appendTail(out);
            result = out.toString();
        }
        return result;
    }

    private String property(Module module, String name) {
        switch (name) {
            case "project.artifactId", "artifactId" -> {
                return module.artifactId();
            }
            case "project.version", "version" -> {
                return module.version();
            }
            default -> {
                for (Module m = module; m != null; m = m.parent() == null ? null : modules.get(m.parent())) {
                    if (m.properties().containsKey(name)) {
                        return m.properties().get(name);
                    }
                }
                throw new IllegalStateException("property ${" + name + "} of " + module.artifactId()
                                                        + " is not defined in its pom or a parent's");
            }
        }
    }

    private static Optional<Element> child(Element parent, String tag) {
        return children(parent).stream().filter(e -> e.getTagName().equals(tag)).findFirst();
    }

    private static Optional<String> text(Element parent, String tag) {
        return child(parent, tag).map(e -> e.getTextContent().trim());
    }

    private static List<Element> children(Element parent) {
        List<Element> elements = new ArrayList<>();
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e) {
                elements.add(e);
            }
        }
        return elements;
    }
}
