package io.penni.datasets.internal;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import io.penni.api.job.DatasetSpec;
import io.penni.datasets.DataSplit;
import io.penni.datasets.DatasetException;

/** A file layout of a data set that the loader reads. */
public sealed interface DatasetFormat permits IdxFormat, CifarFormat, ImageFolderFormat {

    /** Every format, by the name requests use. */
    List<DatasetFormat> ALL = List.of(IdxFormat.FASHION_MNIST, IdxFormat.MNIST, CifarFormat.CIFAR10,
            ImageFolderFormat.IMAGE_FOLDER);

    /** @return the name requests use for this format, e.g. {@code fashion-mnist} */
    String name();

    /**
     * Reads the training and test images.
     *
     * @param root the data root, for checking and naming files
     * @param folder the data set's folder inside the root
     * @param spec the request's data set
     * @return the images
     * @throws DatasetException naming the file and what is wrong with it
     */
    DataSplit load(DataRoot root, Path folder, DatasetSpec spec);

    /**
     * Checks what can be checked without reading every image: the files exist and their headers are sane.
     *
     * @param root the data root
     * @param folder the data set's folder inside the root
     * @param spec the request's data set
     * @throws DatasetException naming the file and what is wrong with it
     */
    void check(DataRoot root, Path folder, DatasetSpec spec);

    /**
     * The shape of the images a request's data set gives a model, found without reading the images: from the
     * format, a header, or the first image's size.
     *
     * @param root the data root
     * @param folder the data set's folder
     * @param spec the request's data set
     * @return {@code [channels, height, width]}, channels 0 where only the images themselves tell (an image
     *         folder is grey only when all of its images are)
     * @throws io.penni.datasets.DatasetException as {@link #check} does
     */
    int[] imageShape(DataRoot root, Path folder, DatasetSpec spec);

    /**
     * @param name a format's name
     * @return the format of that name
     */
    static Optional<DatasetFormat> named(String name) {
        return ALL.stream().filter(f -> f.name().equals(name)).findFirst();
    }
}
