package dev.switchboard.standalone;

import dev.switchboard.config.ConfigurationException;
import dev.switchboard.config.Settings;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Set;

/**
 * The dev-mode HS256 secret, kept in a file that only its owner can read (mode 0600, in a 0700
 * folder): {@code SWITCHBOARD_DEV_SECRET_FILE}, by default {@code ~/.switchboard/dev-secret}. Dev
 * mode creates it on its first run and uses it from then on, so the {@code token} command can mint
 * tokens for a dev-mode server and tokens survive a restart (as a notebook server's cookie secret
 * does). A file that others may read is refused, as ssh refuses such a key.
 */
public final class DevSecret {

    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");

    private final Path file;

    private DevSecret(Path file) {
        this.file = file;
    }

    /** The dev secret file that {@code settings} name. */
    public static DevSecret of(Settings settings) {
        return new DevSecret(settings.get("dev.secret.file").map(Path::of)
                .orElseGet(() -> Path.of(System.getProperty("user.home"), ".switchboard", "dev-secret")));
    }

    public Path file() {
        return file;
    }

    public boolean exists() {
        return Files.exists(file);
    }

    /**
     * The secret in the file.
     *
     * @throws ConfigurationException naming the file and the fix, if it is missing, unreadable, too
     *                                short, or readable by others
     */
    public String read() {
        if (!exists()) {
            throw new ConfigurationException("There is no dev secret file " + file + "; start the server once in dev"
                    + " mode (no SWITCHBOARD_JWT_SECRET) to create it, or set SWITCHBOARD_JWT_SECRET");
        }
        String secret;
        try {
            if (isShared()) {
                throw new ConfigurationException("The dev secret file " + file + " can be read by other users; make it"
                        + " yours alone with: chmod 600 " + file);
            }
            secret = Files.readString(file, StandardCharsets.UTF_8).trim();
        } catch (IOException e) {
            throw new ConfigurationException("The dev secret file " + file + " cannot be read (" + e
                    + "); make it readable by this user, or set SWITCHBOARD_JWT_SECRET", e);
        }
        if (secret.getBytes(StandardCharsets.UTF_8).length < 32) {
            throw new ConfigurationException("The dev secret file " + file + " holds fewer than 32 bytes; delete it and"
                    + " start the server in dev mode again to create a new one");
        }
        return secret;
    }

    /** The secret in the file, created with a new random secret if there is none yet. */
    public String readOrCreate() {
        if (!exists()) {
            try {
                create();
            } catch (IOException e) {
                throw new ConfigurationException("Cannot create the dev secret file " + file + " (" + e
                        + "); set SWITCHBOARD_DEV_SECRET_FILE to a path this user can write, or SWITCHBOARD_JWT_SECRET", e);
            }
        }
        return read();
    }

    private void create() throws IOException {
        byte[] random = new byte[32];
        new SecureRandom().nextBytes(random);
        String secret = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
        Path folder = file.toAbsolutePath().getParent();
        boolean posix = folder.getFileSystem().supportedFileAttributeViews().contains("posix");
        if (!Files.isDirectory(folder)) {
            if (posix) {
                Files.createDirectories(folder, PosixFilePermissions.asFileAttribute(
                        PosixFilePermissions.fromString("rwx------")));
            } else {
                Files.createDirectories(folder);
            }
        }
        // Written in full under another name, then linked into place: two servers starting at
        // once never read a half-written file, and the first one's secret is the one kept.
        Path temporary = posix ? Files.createTempFile(folder, ".dev-secret", ".tmp",
                PosixFilePermissions.asFileAttribute(OWNER_ONLY)) : Files.createTempFile(folder, ".dev-secret", ".tmp");
        try {
            Files.writeString(temporary, secret + "\n", StandardCharsets.UTF_8);
            Files.createLink(file, temporary);
        } catch (FileAlreadyExistsException e) {
            // another process created it first: use that one
        } finally {
            Files.deleteIfExists(temporary);
        }
    }

    private boolean isShared() throws IOException {
        if (!file.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            return false;
        }
        Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(file);
        return permissions.stream().anyMatch(p -> p.name().startsWith("GROUP_") || p.name().startsWith("OTHERS_"));
    }
}
