package io.penni.datasets.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;

import io.penni.datasets.DatasetException;

/**
 * The configured folder every data set must lie in. Paths from requests are resolved against it and refused
 * when they lead outside it, lexically ({@code ..}, an absolute path elsewhere) or through a symbolic link;
 * every file is checked again when it is opened, since a link inside the data set's folder may point out.
 * Messages name files relative to the root, which is what the user wrote and does not reveal the server's
 * layout.
 *
 * @param given the root as configured, absolute and normalised
 * @param real the root with every link resolved
 */
public record DataRoot(Path given, Path real) {

    /**
     * @param dataRoot the configured data root
     * @return the root
     * @throws DatasetException when it is not an existing folder
     */
    public static DataRoot of(Path dataRoot) {
        Path given = dataRoot.toAbsolutePath().normalize();
        if (!Files.isDirectory(given)) {
            throw new DatasetException("the data root " + given + " is not an existing folder");
        }
        try {
            return new DataRoot(given, given.toRealPath());
        } catch (IOException e) {
            throw new DatasetException("the data root " + given + " cannot be read: " + e.getMessage(), e);
        }
    }

    /**
     * Resolves a request's data set path to an existing folder inside the root.
     *
     * @param path the path as the request gives it, relative to the root
     * @return the folder, links resolved
     * @throws DatasetException when the path is malformed, leads outside the root or is not a folder
     */
    public Path folder(String path) {
        Path relative;
        try {
            relative = Path.of(path);
        } catch (InvalidPathException e) {
            throw new DatasetException("data set path '" + path + "' is not a valid path: " + e.getReason());
        }
        Path candidate = given.resolve(relative).normalize();
        if (!candidate.startsWith(given) && !candidate.startsWith(real)) {
            throw new DatasetException("data set path '" + path + "' is outside the data root");
        }
        if (!Files.exists(candidate)) {
            throw new DatasetException("data set folder '" + path + "' does not exist under the data root");
        }
        return folder(candidate, "data set path '" + path + "'");
    }

    /**
     * Checks a folder inside a data set's folder (a sub-folder it reads) as {@link #folder(String)} does.
     *
     * @param folder an existing path inside the root
     * @return the folder, links resolved
     * @throws DatasetException when it leads outside the root or is not a folder
     */
    public Path folder(Path folder) {
        return folder(folder, display(folder));
    }

    private Path folder(Path candidate, String shown) {
        Path resolved = realPath(candidate, shown);
        if (!resolved.startsWith(real)) {
            throw new DatasetException(shown + " leads outside the data root through a symbolic link");
        }
        if (!Files.isDirectory(resolved)) {
            throw new DatasetException(shown + " is not a folder");
        }
        return resolved;
    }

    /**
     * Checks a file before it is opened.
     *
     * @param file a file in a folder returned by {@link #folder(String)}
     * @return the file with links resolved, to open
     * @throws DatasetException when it leads outside the root or is not a regular file
     */
    public Path file(Path file) {
        Path resolved = realPath(file, display(file));
        if (!resolved.startsWith(real)) {
            throw new DatasetException(display(file) + ": a symbolic link to outside the data root");
        }
        if (!Files.isRegularFile(resolved)) {
            throw new DatasetException(display(file) + ": not a regular file");
        }
        return resolved;
    }

    /**
     * @param path a path inside the root
     * @return the path relative to the root, for messages ({@code .} for the root itself)
     */
    public String display(Path path) {
        Path shown = path.startsWith(real) ? real.relativize(path)
                : path.startsWith(given) ? given.relativize(path) : path;
        String text = shown.toString();
        return text.isEmpty() ? "." : text;
    }

    private Path realPath(Path path, String shown) {
        try {
            return path.toRealPath();
        } catch (IOException e) {
            throw new DatasetException(shown + ": cannot be read: " + e.getMessage(), e);
        }
    }
}
