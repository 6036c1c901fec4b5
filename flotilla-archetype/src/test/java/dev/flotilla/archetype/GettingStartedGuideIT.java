package dev.flotilla.archetype;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * docs/getting-started.md against the archetype's integration test, which ran just before this test: the guide's
 * commands are the ones that test ran (its archetype.properties and goal.txt) or the ones run here (the run command
 * and the requests shown after it), its file list is what was generated, and its code is quoted from the generated
 * project, which that test compiled and tested. The repository's README and the generated project's README show the
 * same commands.
 */
class GettingStartedGuideIT {
    private static final Path GUIDE = Path.of(System.getProperty("guide.file"));
    private static final Path IT_DIRECTORY = Path.of(System.getProperty("guide.itDirectory"));
    private static final Path PROJECT = Path.of(System.getProperty("guide.project"));
    private static final String ARCHETYPE = System.getProperty("guide.archetype");
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    private static final Pattern READY = Pattern.compile("ready at http://[^:]+:(\\d+)");
    private static final Pattern UUID = Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");

    /** A fenced block of the guide: its info string, its lines, and the HTML comment on the line above it, if any. */
    private record Block(String info, List<String> lines, String marker) {
    }

    private static List<Block> blocks;

    @BeforeAll
    static void readGuide() throws IOException {
        blocks = new ArrayList<>();
        List<String> lines = Files.readAllLines(GUIDE);
        String previous = "";
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.startsWith("```")) {
                String info = line.substring(3).trim();
                List<String> content = new ArrayList<>();
                for (i++; !lines.get(i).startsWith("```"); i++) {
                    content.add(lines.get(i));
                }
                String marker = previous.startsWith("<!--") ? previous.replaceAll("<!--\\s*|\\s*-->", "") : "";
                blocks.add(new Block(info, content, marker));
                previous = "";
            } else if (!line.isBlank()) {
                previous = line.trim();
            }
        }
    }

    private static List<String> commands() {
        return blocks.stream().filter(b -> b.info().equals("sh")).flatMap(b -> b.lines().stream()).toList();
    }

    @Test
    void theGuideRunsExactlyTheGenerateBuildAndRunCommands() throws IOException {
        Properties it = itProperties();
        List<String> commands = commands();
        assertEquals(4, commands.size(), "the guide's sh commands: " + commands);
        assertTrue(commands.get(0).startsWith("mvn archetype:generate "), commands.get(0));
        assertEquals("cd " + it.getProperty("artifactId"), commands.get(1));
        assertEquals("mvn " + Files.readString(IT_DIRECTORY.resolve("goal.txt")).trim(), commands.get(2));
        assertTrue(commands.get(3).startsWith("java -jar "), commands.get(3));
    }

    @Test
    void theGenerateCommandHasTheValuesOfTheIntegrationTest() throws IOException {
        Map<String, String> values = new LinkedHashMap<>();
        for (String word : commands().get(0).split(" +")) {
            if (word.startsWith("-D")) {
                String[] pair = word.substring(2).split("=", 2);
                values.put(pair[0], pair[1]);
            }
        }
        String[] archetype = ARCHETYPE.split(":");
        assertEquals(archetype[0], values.remove("archetypeGroupId"));
        assertEquals(archetype[1], values.remove("archetypeArtifactId"));
        assertEquals(archetype[2], values.remove("archetypeVersion"));
        assertEquals("false", values.remove("interactiveMode"));

        Map<String, String> it = new LinkedHashMap<>();
        itProperties().forEach((key, value) -> it.put((String) key, (String) value));
        assertEquals(it, values, "the -D values of the guide's archetype:generate and the archetype.properties of "
                + "the integration test");
    }

    @Test
    void theReadmeShowsTheGuidesGenerateCommand() throws IOException {
        List<String> readme = Files.readAllLines(GUIDE.getParent().getParent().resolve("README.md"));
        assertEquals(List.of(commands().get(0)),
                     readme.stream().filter(line -> line.startsWith("mvn archetype:generate ")).toList());
    }

    @Test
    void theGeneratedReadmeShowsTheGuidesCommands() throws IOException {
        List<String> shown = new ArrayList<>(commands());
        blocks.stream().filter(b -> b.info().equals("console")).flatMap(b -> b.lines().stream())
                .filter(line -> line.startsWith("$ ")).forEach(line -> shown.add(line.substring(2)));
        boolean inShell = false;
        for (String line : Files.readAllLines(PROJECT.resolve("README.md"))) {
            if (line.startsWith("```")) {
                inShell = !inShell && line.equals("```sh");
            } else if (inShell) {
                assertTrue(shown.contains(line), "the generated README runs '" + line
                        + "', which the guide does not show (and so no test runs)");
            }
        }
    }

    @Test
    void theListedFilesAreTheGeneratedOnes() throws IOException {
        Block listing = blocks.stream().filter(b -> b.marker().equals("files")).findFirst()
                .orElseThrow(() -> new AssertionError("no <!-- files --> listing in the guide"));
        List<String> generated;
        try (Stream<Path> files = Files.walk(PROJECT)) {
            generated = files.filter(Files::isRegularFile)
                    .map(p -> PROJECT.relativize(p).toString())
                    .filter(p -> !p.contains("target/") && !p.equals("build.log"))
                    .sorted()
                    .toList();
        }
        assertEquals(generated, listing.lines().stream().sorted().toList());
    }

    @Test
    void everySnippetIsQuotedFromTheGeneratedProject() throws IOException {
        List<Block> quoted = blocks.stream().filter(b -> b.marker().startsWith("file:")).toList();
        assertFalse(quoted.isEmpty(), "the guide quotes no generated file");
        for (Block block : quoted) {
            Path file = PROJECT.resolve(block.marker().substring("file:".length()).trim());
            assertTrue(Files.isRegularFile(file), "the guide quotes " + file + ", which was not generated");
            String content = Files.readString(file);
            String snippet = String.join("\n", block.lines()) + "\n";
            assertTrue(content.contains(snippet), "the guide's snippet of " + file
                    + " is not a part of the generated file:\n" + snippet + "\n--- the file:\n" + content);
        }
    }

    @Test
    void theRunCommandStartsTheServiceThatAnswersAsShown() throws Exception {
        List<String> command = new ArrayList<>(List.of(commands().get(3).split(" +")));
        // The guide's "java" is the reader's JDK 21+; here it is the JDK running this test, whatever the PATH has.
        command.set(0, Path.of(System.getProperty("java.home"), "bin", "java").toString());
        ProcessBuilder builder = new ProcessBuilder(command).directory(PROJECT.toFile()).redirectErrorStream(true);
        // A free port instead of 8080, which may be taken on a shared machine; the command itself is unchanged.
        builder.environment().put("JAVA_TOOL_OPTIONS", "-Dserver.port=0");
        Process process = builder.start();
        List<String> output = new CopyOnWriteArrayList<>();
        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        Thread reader = Thread.ofVirtual().start(() -> readLines(process.getInputStream(), output, lines));
        try {
            int port = awaitPort(lines, output);
            for (Block block : blocks.stream().filter(b -> b.info().equals("console")).toList()) {
                assertAnswersAsShown(block, port);
            }
        } finally {
            // SIGTERM, as from Ctrl-C or a container stop; through the handle, as Process.destroy() would also close
            // the output stream before the service logs its stop.
            process.toHandle().destroy();
            assertTrue(process.waitFor(30, TimeUnit.SECONDS), "the service did not stop within 30 s: " + output);
            reader.join(Duration.ofSeconds(5));
        }
        for (Block block : blocks.stream().filter(b -> b.info().equals("log")).toList()) {
            for (String shown : block.lines()) {
                assertTrue(output.stream().anyMatch(line -> masked(line).equals(masked(shown))),
                           "the guide shows the log line\n" + shown + "\nbut the service logged\n"
                                   + String.join("\n", output));
            }
        }
    }

    private static void readLines(InputStream in, List<String> output, BlockingQueue<String> lines) {
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                output.add(line);
                lines.add(line);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static int awaitPort(BlockingQueue<String> lines, List<String> output) throws InterruptedException {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (true) {
            String line = lines.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
            if (line == null) {
                fail("the service was not ready within " + START_TIMEOUT + ": " + String.join("\n", output));
            }
            Matcher ready = READY.matcher(line);
            if (ready.find()) {
                return Integer.parseInt(ready.group(1));
            }
        }
    }

    /** Runs each {@code $ curl ...} line of a console block and compares the answer with the lines after it. */
    private static void assertAnswersAsShown(Block block, int port) throws Exception {
        HttpClient client = HttpClient.newHttpClient();
        List<String> lines = block.lines();
        for (int i = 0; i < lines.size(); i++) {
            if (!lines.get(i).startsWith("$ curl ")) {
                continue;
            }
            HttpRequest request = curl(lines.get(i).substring(2), port);
            StringBuilder expected = new StringBuilder();
            for (int j = i + 1; j < lines.size() && !lines.get(j).startsWith("$ "); j++) {
                expected.append(lines.get(j)).append('\n');
            }
            String answer = client.send(request, HttpResponse.BodyHandlers.ofString()).body();
            assertEquals(withoutIds(expected.toString().strip()), withoutIds(answer.strip()),
                         "the answer to " + lines.get(i));
        }
    }

    /** The request of a curl command line of the guide: -s, -X, -H, -d and the URL. */
    static HttpRequest curl(String commandLine, int port) {
        List<String> words = shellWords(commandLine);
        assertEquals("curl", words.get(0));
        String method = null;
        String body = null;
        String url = null;
        HttpRequest.Builder request = HttpRequest.newBuilder().timeout(Duration.ofSeconds(10));
        for (int i = 1; i < words.size(); i++) {
            String word = words.get(i);
            if (word.equals("-s")) {
                continue;
            } else if (word.startsWith("-X")) {
                method = word.substring(2);
            } else if (word.equals("-H")) {
                String[] header = words.get(++i).split(":\\s*", 2);
                request.header(header[0], header[1]);
            } else if (word.equals("-d")) {
                body = words.get(++i);
            } else if (!word.startsWith("-")) {
                url = word;
            } else {
                fail("the guide's curl uses " + word + ", which this test does not know: " + commandLine);
            }
        }
        assertNotNull(url, commandLine);
        assertTrue(url.startsWith("localhost:8080/"), url);
        request.uri(URI.create("http://localhost:" + port + url.substring("localhost:8080".length())));
        request.method(method != null ? method : body != null ? "POST" : "GET",
                       body != null ? HttpRequest.BodyPublishers.ofString(body) : HttpRequest.BodyPublishers.noBody());
        return request.build();
    }

    /** Splits a command line into words as a shell does with single quotes (the only quoting the guide uses). */
    static List<String> shellWords(String line) {
        List<String> words = new ArrayList<>();
        StringBuilder word = null;
        boolean quoted = false;
        for (char c : line.toCharArray()) {
            if (c == '\'') {
                quoted = !quoted;
                word = word == null ? new StringBuilder() : word;
            } else if (c == ' ' && !quoted) {
                if (word != null) {
                    words.add(word.toString());
                    word = null;
                }
            } else {
                word = word == null ? new StringBuilder() : word;
                word.append(c);
            }
        }
        if (word != null) {
            words.add(word.toString());
        }
        return words;
    }

    /** An answer with its request id masked. */
    private static String withoutIds(String text) {
        return UUID.matcher(text).replaceAll("<id>");
    }

    /** A log line with what changes from run to run (times, durations, ids) masked. */
    private static String masked(String line) {
        return withoutIds(line).replaceAll("\\d+", "0");
    }

    private static Properties itProperties() throws IOException {
        Properties properties = new Properties();
        properties.load(new StringReader(Files.readString(IT_DIRECTORY.resolve("archetype.properties"))));
        return properties;
    }
}
