package io.penni.datasets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.penni.api.job.Augmentation;
import io.penni.api.job.DatasetSpec;

/** A request cannot make the loader read outside the data root, and says why in one line. */
class DataRootConfinementTest {

    @TempDir
    Path temp;

    private Path root() throws IOException {
        return Files.createDirectories(temp.resolve("root"));
    }

    /** A valid IDX data set outside the root, which an escaping path would reach. */
    private Path outside() {
        Path folder = temp.resolve("secret");
        SampleFiles.writeIdxSet(folder, 2, 2, 2, 2, false);
        return folder;
    }

    private static DatasetSpec spec(String path) {
        return new DatasetSpec("mnist", path, Augmentation.NONE, 0, 0);
    }

    @Test
    void parentTraversalIsRefused() throws IOException {
        Path root = root();
        outside();
        DatasetException e = assertThrows(DatasetException.class, () -> DatasetLoader.load(spec("../secret"), root));
        assertEquals("data set path '../secret' is outside the data root", e.getMessage());
    }

    @Test
    void absolutePathElsewhereIsRefused() throws IOException {
        Path root = root();
        String path = outside().toAbsolutePath().toString();
        DatasetException e = assertThrows(DatasetException.class, () -> DatasetLoader.load(spec(path), root));
        assertEquals("data set path '" + path + "' is outside the data root", e.getMessage());
    }

    @Test
    void absolutePathInsideTheRootIsAccepted() throws IOException {
        Path root = root();
        SampleFiles.writeIdxSet(root.resolve("mnist"), 2, 1, 2, 2, false);
        String path = root.resolve("mnist").toAbsolutePath().toString();
        assertEquals(2, DatasetLoader.load(spec(path), root).train().count());
    }

    @Test
    void folderLinkLeadingOutIsRefused() throws IOException {
        Path root = root();
        Files.createSymbolicLink(root.resolve("link"), outside());
        DatasetException e = assertThrows(DatasetException.class, () -> DatasetLoader.load(spec("link"), root));
        assertEquals("data set path 'link' leads outside the data root through a symbolic link", e.getMessage());
    }

    @Test
    void fileLinkLeadingOutIsRefused() throws IOException {
        Path root = root();
        Path folder = root.resolve("mnist");
        SampleFiles.writeIdxSet(folder, 2, 2, 2, 2, false);
        Path target = outside().resolve("train-images-idx3-ubyte");
        Files.delete(folder.resolve("train-images-idx3-ubyte"));
        Files.createSymbolicLink(folder.resolve("train-images-idx3-ubyte"), target);
        DatasetException e = assertThrows(DatasetException.class, () -> DatasetLoader.load(spec("mnist"), root));
        assertEquals("mnist/train-images-idx3-ubyte: a symbolic link to outside the data root", e.getMessage());
    }

    @Test
    void linkWithinTheRootIsFollowed() throws IOException {
        Path root = root();
        SampleFiles.writeIdxSet(root.resolve("real"), 3, 1, 2, 2, false);
        Files.createSymbolicLink(root.resolve("alias"), root.resolve("real"));
        assertEquals(3, DatasetLoader.load(spec("alias"), root).train().count());
    }

    @Test
    void checkReportsAnEscapeAsAValue() throws IOException {
        Path root = root();
        outside();
        assertEquals(Optional.of("data set path 'a/../../secret' is outside the data root"),
                DatasetLoader.check(spec("a/../../secret"), root));
    }

    @Test
    void missingFolderIsNamed() throws IOException {
        Path root = root();
        assertEquals(Optional.of("data set folder 'nothing' does not exist under the data root"),
                DatasetLoader.check(spec("nothing"), root));
    }

    @Test
    void unknownFormatIsNamedWithTheKnownOnes() throws IOException {
        Path root = root();
        DatasetSpec spec = new DatasetSpec("imagenet", "x", Augmentation.NONE, 0, 0);
        assertEquals(Optional.of("unknown data set format 'imagenet'; known formats: fashion-mnist, mnist, cifar10,"
                + " image-folder"), DatasetLoader.check(spec, root));
    }
}
