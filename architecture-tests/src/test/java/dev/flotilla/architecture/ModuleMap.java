package dev.flotilla.architecture;

import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReference;
import java.net.URI;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

import com.tngtech.archunit.core.domain.JavaClass;

/**
 * Which module a class belongs to, read from the module descriptor ({@code module-info.class}) of the jar or classes
 * folder it was loaded from. A location without a descriptor belongs to no named module: empty.
 */
final class ModuleMap implements Function<JavaClass, Optional<ModuleDescriptor>> {
    private final Map<Path, Optional<ModuleDescriptor>> byRoot = new ConcurrentHashMap<>();

    @Override
    public Optional<ModuleDescriptor> apply(JavaClass javaClass) {
        return javaClass.getSource().map(source -> root(source.getUri(), javaClass))
                .flatMap(root -> byRoot.computeIfAbsent(root, ModuleMap::explicitDescriptor));
    }

    /** The jar, or the classes folder, a class file was read from. */
    private static Path root(URI uri, JavaClass javaClass) {
        String text = uri.toString();
        if (text.startsWith("jar:")) {
            return Path.of(URI.create(text.substring(4, text.indexOf("!/"))));
        }
        Path file = Path.of(uri);
        int depth = javaClass.getPackageName().isEmpty() ? 0 : javaClass.getPackageName().split("\\.").length;
        Path root = file.getParent();
        for (int i = 0; i < depth; i++) {
            root = root.getParent();
        }
        return root;
    }

    private static Optional<ModuleDescriptor> explicitDescriptor(Path root) {
        return ModuleFinder.of(root).findAll().stream().findFirst().map(ModuleReference::descriptor)
                .filter(d -> !d.isAutomatic());
    }
}
