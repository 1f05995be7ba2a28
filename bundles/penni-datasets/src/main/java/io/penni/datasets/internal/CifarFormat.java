package io.penni.datasets.internal;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import io.penni.api.job.DatasetSpec;
import io.penni.datasets.DataSplit;
import io.penni.datasets.DatasetException;
import io.penni.datasets.ImageSet;

/**
 * The binary version of CIFAR-10: {@code data_batch_1.bin} … {@code data_batch_5.bin} (whichever exist, at least
 * one) for training and {@code test_batch.bin} for testing, each a run of 3073-byte records (one label byte, then
 * the 32×32 red plane, green plane and blue plane), with class names one per line in an optional
 * {@code batches.meta.txt}. The files may also sit in a {@code cifar-10-batches-bin} sub-folder, as the
 * archive unpacks.
 */
public final class CifarFormat implements DatasetFormat {

    /** The only instance. */
    public static final CifarFormat CIFAR10 = new CifarFormat();

    static final int SIDE = 32;
    static final int IMAGE_BYTES = 3 * SIDE * SIDE;
    static final int RECORD_BYTES = 1 + IMAGE_BYTES;
    static final List<String> DEFAULT_CLASSES = List.of("airplane", "automobile", "bird", "cat", "deer", "dog",
            "frog", "horse", "ship", "truck");
    private static final String ARCHIVE_FOLDER = "cifar-10-batches-bin";
    private static final int TRAIN_BATCHES = 5;

    private CifarFormat() {
    }

    @Override
    public String name() {
        return "cifar10";
    }

    @Override
    public DataSplit load(DataRoot root, Path folder, DatasetSpec spec) {
        Path files = filesFolder(root, folder);
        List<String> classes = classNames(root, files);
        List<Path> train = trainFiles(root, files);
        Path test = testFile(root, files);
        String name = name() + ":" + root.display(folder);
        return new DataSplit(read(root, train, spec.trainLimit(), classes, name + "/train"),
                read(root, List.of(test), spec.testLimit(), classes, name + "/test"));
    }

    @Override
    public int[] imageShape(DataRoot root, Path folder, DatasetSpec spec) {
        check(root, folder, spec);
        return new int[] {3, SIDE, SIDE};
    }

    @Override
    public void check(DataRoot root, Path folder, DatasetSpec spec) {
        Path files = filesFolder(root, folder);
        classNames(root, files);
        trainFiles(root, files);
        testFile(root, files);
    }

    private static Path filesFolder(DataRoot root, Path folder) {
        Path nested = folder.resolve(ARCHIVE_FOLDER);
        if (!Files.exists(folder.resolve("test_batch.bin")) && Files.isDirectory(nested)) {
            return root.folder(nested);
        }
        return folder;
    }

    private static List<Path> trainFiles(DataRoot root, Path folder) {
        List<Path> files = new ArrayList<>();
        for (int i = 1; i <= TRAIN_BATCHES; i++) {
            Path file = folder.resolve("data_batch_" + i + ".bin");
            if (Files.exists(file)) {
                files.add(checked(root, file));
            }
        }
        if (files.isEmpty()) {
            throw new DatasetException(root.display(folder) + ": no training batch (data_batch_1.bin … data_batch_"
                    + TRAIN_BATCHES + ".bin)");
        }
        return files;
    }

    private static Path testFile(DataRoot root, Path folder) {
        Path file = folder.resolve("test_batch.bin");
        if (!Files.exists(file)) {
            throw new DatasetException(root.display(folder) + ": missing test_batch.bin");
        }
        return checked(root, file);
    }

    /** A batch file, its length checked to be a whole, non-zero number of records. */
    private static Path checked(DataRoot root, Path file) {
        Path real = root.file(file);
        try {
            long size = Files.size(real);
            if (size == 0 || size % RECORD_BYTES != 0) {
                throw new DatasetException(root.display(file) + ": " + size + " bytes is not a whole number of "
                        + RECORD_BYTES + "-byte CIFAR-10 records");
            }
            return real;
        } catch (IOException e) {
            throw new DatasetException(root.display(file) + ": cannot be read: " + e.getMessage(), e);
        }
    }

    private static List<String> classNames(DataRoot root, Path folder) {
        Path meta = folder.resolve("batches.meta.txt");
        if (!Files.exists(meta)) {
            return DEFAULT_CLASSES;
        }
        try {
            List<String> names = Files.readAllLines(root.file(meta), StandardCharsets.UTF_8).stream()
                    .map(String::strip).filter(line -> !line.isEmpty()).toList();
            if (names.isEmpty()) {
                throw new DatasetException(root.display(meta) + ": no class names");
            }
            if (names.size() > 256) {
                throw new DatasetException(root.display(meta) + ": " + names.size()
                        + " class names, but a label byte can name only 256");
            }
            return names;
        } catch (IOException e) {
            throw new DatasetException(root.display(meta) + ": cannot be read as UTF-8 text: " + e.getMessage(), e);
        }
    }

    private static ImageSet read(DataRoot root, List<Path> files, int limit, List<String> classes, String name) {
        long available = 0;
        for (Path file : files) {
            available += size(root, file) / RECORD_BYTES;
        }
        long wanted = limit > 0 ? Math.min(limit, available) : available;
        if (wanted * IMAGE_BYTES > Integer.MAX_VALUE - 16) {
            throw new DatasetException(name + ": " + wanted + " images are too many to hold in one array");
        }
        int count = (int) wanted;
        byte[] pixels = new byte[count * IMAGE_BYTES];
        int[] labels = new int[count];
        int image = 0;
        for (Path file : files) {
            if (image == count) {
                break;
            }
            try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
                int record = 0;
                for (; image < count; image++, record++) {
                    int label = in.read();
                    if (label < 0) {
                        break;
                    }
                    if (label >= classes.size()) {
                        throw new DatasetException(root.display(file) + ": label " + label + " of record " + record
                                + " is outside 0.." + (classes.size() - 1));
                    }
                    labels[image] = label;
                    if (in.readNBytes(pixels, image * IMAGE_BYTES, IMAGE_BYTES) != IMAGE_BYTES) {
                        throw new DatasetException(root.display(file) + ": record " + record + " is cut short");
                    }
                }
            } catch (IOException e) {
                throw new DatasetException(root.display(file) + ": cannot be read: " + e.getMessage(), e);
            }
        }
        return new ImageSet(name, 3, SIDE, SIDE, classes, pixels, labels);
    }

    private static long size(DataRoot root, Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            throw new DatasetException(root.display(file) + ": cannot be read: " + e.getMessage(), e);
        }
    }
}
