package io.penni.cli.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SubmitCommandTest {

    @TempDir
    Path dir;

    private static ByteArrayInputStream stdin(String text) {
        return new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void theRequestsJobIdIsUsedAndItsBytesAreKeptAsWritten() {
        String request = "{\"jobId\": \"fashion-1\",\n \"model\": {}}";
        SubmitCommand.Submission s = SubmitCommand.read("-", stdin(request));
        assertEquals("fashion-1", s.jobId());
        assertEquals(request, new String(s.bytes(), StandardCharsets.UTF_8));
    }

    @Test
    void aRequestWithoutAJobIdGetsANewUuid() throws Exception {
        Path file = dir.resolve("r.json");
        Files.writeString(file, "{\"model\": {}}");
        String id = SubmitCommand.read(file.toString(), stdin("")).jobId();
        assertEquals(id, UUID.fromString(id).toString());
    }

    @Test
    void textThatIsNotJsonIsOneLineWithItsPosition() throws Exception {
        Path file = dir.resolve("r.json");
        Files.writeString(file, "{\"model\": {\n  \"architecture\": vgg}}");
        CliException e = assertThrows(CliException.class, () -> SubmitCommand.read(file.toString(), stdin("")));
        assertEquals(CliException.FAILED, e.status());
        assertEquals("submit: " + file + " is not JSON at line 2, column 23: Unrecognized token 'vgg': was expecting "
                + "(JSON String, Number, Array, Object or token 'null', 'true' or 'false')", e.getMessage());
    }

    @Test
    void jsonThatIsNotAnObjectIsRefused() {
        CliException e = assertThrows(CliException.class, () -> SubmitCommand.read("-", stdin("[1, 2]")));
        assertEquals("submit: standard input is not a JSON object; a request is {\"model\": ..., \"dataset\": ...} "
                + "(see the README)", e.getMessage());
    }

    @Test
    void aMissingFileIsOneLine() {
        Path file = dir.resolve("none.json");
        CliException e = assertThrows(CliException.class, () -> SubmitCommand.read(file.toString(), stdin("")));
        assertEquals("submit: " + file + ": no such file", e.getMessage());
    }
}
