package dev.switchboard;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * A user who clones the repository has everything a file in it points to: no file refers to the
 * project's upstream agreement and design notes, which live outside the repository (the protocol
 * reference is docs/protocol.md, the design principles docs/architecture.md), and no Markdown link
 * leads out of the repository.
 */
class RepositoryLinksTest {

    private static final Path ROOT = Path.of("").toAbsolutePath().normalize();
    /** Folders that hold build output, downloaded packages or Git's own files, never sources. */
    private static final Set<String> NOT_SOURCES = Set.of(".git", "target", "node_modules");
    /** Spelled in parts, so that this file does not name them itself. */
    private static final List<String> OUTSIDE_NAMES = List.of("../" + "shared", "CONTRACT" + ".md", "DESIGN" + ".md");
    private static final Pattern MARKDOWN_LINK = Pattern.compile("\\]\\(([^)\\s]+)(?:\\s+\"[^\"]*\")?\\)");

    @Test
    void noFileRefersToTheContractOrDesignFilesOutsideTheRepository() throws IOException {
        List<String> found = new ArrayList<>();
        for (Path file : sourceFiles()) {
            String text = textOf(file);
            if (text == null) {
                continue;
            }
            String[] lines = text.split("\n", -1);
            for (int i = 0; i < lines.length; i++) {
                for (String name : OUTSIDE_NAMES) {
                    if (lines[i].contains(name)) {
                        found.add(ROOT.relativize(file) + ":" + (i + 1) + ": " + lines[i].strip());
                    }
                }
            }
        }
        assertThat(found).as("references to files outside the repository; cite docs/ instead").isEmpty();
    }

    @Test
    void noMarkdownLinkLeadsOutOfTheRepository() throws IOException {
        List<String> found = new ArrayList<>();
        for (Path file : sourceFiles()) {
            if (!file.getFileName().toString().endsWith(".md")) {
                continue;
            }
            String text = textOf(file);
            Matcher link = MARKDOWN_LINK.matcher(text == null ? "" : text);
            while (link.find()) {
                String target = link.group(1);
                if (target.matches("^[a-zA-Z][a-zA-Z0-9+.-]*:.*") || target.startsWith("#") || target.startsWith("<")) {
                    continue; // a URL (http:, https:, mailto:) or an anchor in the same file
                }
                String path = target.replaceAll("[#?].*$", "");
                Path resolved = (path.startsWith("/") ? ROOT.resolve(path.substring(1)) : file.getParent().resolve(path))
                        .normalize();
                if (!resolved.startsWith(ROOT)) {
                    found.add(ROOT.relativize(file) + ": " + target);
                }
            }
        }
        assertThat(found).as("Markdown links that leave the repository").isEmpty();
    }

    @Test
    void theScanSeesTheDocumentationAndTheSources() throws IOException {
        List<String> names = sourceFiles().stream().map(file -> ROOT.relativize(file).toString().replace('\\', '/')).toList();
        assertThat(names).contains("README.md", "docs/protocol.md",
                "src/main/java/dev/switchboard/broker/CloseCode.java", "clients/js/src/switchboard.js");
    }

    /** Every file of the repository but build output, installed packages and Git's own. */
    private static List<Path> sourceFiles() throws IOException {
        try (Stream<Path> walk = Files.walk(ROOT)) {
            return walk.filter(Files::isRegularFile)
                    .filter(file -> {
                        for (Path part : ROOT.relativize(file)) {
                            if (NOT_SOURCES.contains(part.toString())) {
                                return false;
                            }
                        }
                        return true;
                    })
                    .sorted().toList();
        }
    }

    /** The file as UTF-8 text, or null for a binary file (an image, a jar). */
    private static String textOf(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        for (byte b : bytes) {
            if (b == 0) {
                return null;
            }
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            return null; // not text: nothing in it is a link a reader follows
        }
    }
}
