package dev.switchboard.standalone;

import dev.switchboard.config.ConfigurationException;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.InvocationTargetException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * Runs the application's own configuration check ({@code dev.switchboard.config.ConfigurationCheck})
 * from the WAR's classes, in a class loader of its own, before any container starts: the checks
 * are exactly those of start-up, and the launcher's jar need not carry the application's classes
 * and libraries. Only JDK types cross between the two class loaders.
 */
public final class ApplicationCheck {

    static final String WAR_RESOURCE = "/META-INF/switchboard/switchboard-servlet.war";
    private static final String CHECK_CLASS = "dev.switchboard.config.ConfigurationCheck";

    private ApplicationCheck() {
    }

    /** Copies the WAR out of this jar to {@code war}. */
    static void copyWar(Path war) throws IOException {
        try (InputStream in = ApplicationCheck.class.getResourceAsStream(WAR_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(WAR_RESOURCE + " is missing from the jar; build it with mvn package");
            }
            Files.copy(in, war, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /**
     * Checks the settings of this process with the classes of this jar's WAR, unpacked under
     * {@code workDirectory}, and returns the description of the effective configuration.
     *
     * @throws ConfigurationException with the application's one-line message, if a setting is bad
     */
    public static List<String> run(Path workDirectory) throws IOException {
        Path war = workDirectory.resolve("switchboard-servlet.war");
        if (!Files.exists(war)) {
            copyWar(war);
        }
        Path classes = workDirectory.resolve("check");
        List<URL> path = unpack(war, classes);
        // The platform loader as parent: every class of the application, the settings included,
        // comes from the WAR, as in the container (same-package access needs one loader).
        try (URLClassLoader loader = new URLClassLoader(path.toArray(URL[]::new), ClassLoader.getPlatformClassLoader())) {
            Object lines = loader.loadClass(CHECK_CLASS).getMethod("run").invoke(null);
            List<String> description = new ArrayList<>();
            for (Object line : (List<?>) lines) {
                description.add(String.valueOf(line));
            }
            return description;
        } catch (InvocationTargetException e) {
            Throwable cause = e.getCause();
            if (cause.getClass().getName().equals(ConfigurationException.class.getName())) {
                throw new ConfigurationException(cause.getMessage(), cause);
            }
            throw new IllegalStateException("the configuration check failed: " + cause, cause);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("the WAR has no usable " + CHECK_CLASS, e);
        }
    }

    /** Unpacks the WAR's classes and libraries to {@code into}; returns them as a class path. */
    private static List<URL> unpack(Path war, Path into) throws IOException {
        List<URL> path = new ArrayList<>();
        Path classes = into.resolve("WEB-INF/classes");
        Files.createDirectories(classes);
        path.add(classes.toUri().toURL());
        try (ZipFile zip = new ZipFile(war.toFile())) {
            Enumeration<? extends ZipEntry> entries = zip.entries();
            while (entries.hasMoreElements()) {
                ZipEntry entry = entries.nextElement();
                String name = entry.getName();
                if (entry.isDirectory() || !(name.startsWith("WEB-INF/classes/") || name.startsWith("WEB-INF/lib/"))) {
                    continue;
                }
                Path target = into.resolve(name).normalize();
                if (!target.startsWith(into)) {
                    continue; // an entry that would land outside (zip slip): not from our build
                }
                Files.createDirectories(target.getParent());
                try (InputStream in = zip.getInputStream(entry)) {
                    Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
                }
                if (name.startsWith("WEB-INF/lib/") && name.endsWith(".jar")) {
                    path.add(target.toUri().toURL());
                }
            }
        }
        return path;
    }
}
