package io.penni.datasets;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import io.penni.api.job.DatasetSpec;
import io.penni.datasets.internal.DataRoot;
import io.penni.datasets.internal.DatasetFormat;

/**
 * Reads a request's data set from under the configured data root. The formats:
 * <ul>
 * <li>{@code fashion-mnist}, {@code mnist}: the four IDX files ({@code train-images-idx3-ubyte},
 * {@code train-labels-idx1-ubyte}, {@code t10k-images-idx3-ubyte}, {@code t10k-labels-idx1-ubyte}), each raw or
 * {@code .gz};</li>
 * <li>{@code cifar10}: the binary batches {@code data_batch_1.bin} … {@code data_batch_5.bin} (those present)
 * and {@code test_batch.bin}, class names from an optional {@code batches.meta.txt};</li>
 * <li>{@code image-folder}: {@code train/<class>/*.png|jpg|jpeg} and {@code test/<class>/…}, sized by
 * {@link DatasetSpec#imageSize()}.</li>
 * </ul>
 * The data set's path is resolved against the data root and refused when it leads outside it.
 */
public final class DatasetLoader {

    private DatasetLoader() {
    }

    /** @return the format names {@link DatasetSpec#format()} may take */
    public static List<String> formats() {
        return DatasetFormat.ALL.stream().map(DatasetFormat::name).toList();
    }

    /**
     * Reads the training and test images, keeping the first {@code trainLimit} / {@code testLimit} of each
     * when those are positive.
     *
     * @param spec the request's data set
     * @param dataRoot the folder every data set must lie in
     * @return the images
     * @throws DatasetException with one line naming the file (relative to the data root) and what is wrong
     */
    public static DataSplit load(DatasetSpec spec, Path dataRoot) {
        DataRoot root = DataRoot.of(dataRoot);
        return format(spec).load(root, root.folder(spec.path()), spec);
    }

    /**
     * Checks a data set without reading its images: the format is known, the path stays inside the data root,
     * the files exist and their headers are consistent. Meant to refuse a request before a job starts; a data
     * set that passes may still fail to load (a compressed file cut short, a corrupt image).
     *
     * @param spec the request's data set
     * @param dataRoot the folder every data set must lie in
     * @return the problem in one line, or empty when none was found
     */
    public static Optional<String> check(DatasetSpec spec, Path dataRoot) {
        try {
            DataRoot root = DataRoot.of(dataRoot);
            format(spec).check(root, root.folder(spec.path()), spec);
            return Optional.empty();
        } catch (DatasetException e) {
            return Optional.of(e.getMessage());
        }
    }

    /**
     * The shape of one image of a data set, found as cheaply as {@link #check} looks: so a request whose model
     * cannot take the images is refused before a job starts.
     *
     * @param spec the request's data set
     * @param dataRoot the folder every data set must lie in
     * @return {@code [channels, height, width]}, channels 0 for an image folder (grey only when all of its images
     *         are, which only reading them tells); empty when the data set cannot be read (see {@link #check})
     */
    public static Optional<int[]> imageShape(DatasetSpec spec, Path dataRoot) {
        try {
            DataRoot root = DataRoot.of(dataRoot);
            return Optional.of(format(spec).imageShape(root, root.folder(spec.path()), spec));
        } catch (DatasetException e) {
            return Optional.empty();
        }
    }

    private static DatasetFormat format(DatasetSpec spec) {
        return DatasetFormat.named(spec.format()).orElseThrow(() -> new DatasetException("unknown data set format '"
                + spec.format() + "'; known formats: " + String.join(", ", formats())));
    }
}
