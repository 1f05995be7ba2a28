package io.penni.datasets.internal;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

import io.penni.api.job.DatasetSpec;
import io.penni.datasets.DataSplit;
import io.penni.datasets.DatasetException;
import io.penni.datasets.ImageSet;

/**
 * MNIST-style IDX files, as Fashion-MNIST and MNIST ship: {@code train-images-idx3-ubyte},
 * {@code train-labels-idx1-ubyte}, {@code t10k-images-idx3-ubyte} and {@code t10k-labels-idx1-ubyte}, each raw
 * or gzip-compressed ({@code .gz}; the raw file wins when both exist). An image file is the magic number
 * {@code 0x00000803}, the image count, rows and columns (big-endian ints) and then the pixels; a label file is
 * {@code 0x00000801}, the count and one byte per label.
 *
 * @param name the format's name
 * @param classNames the names of labels 0, 1, ...
 */
public record IdxFormat(String name, List<String> classNames) implements DatasetFormat {

    /** Zalando's Fashion-MNIST. */
    public static final IdxFormat FASHION_MNIST = new IdxFormat("fashion-mnist", List.of("T-shirt/top", "Trouser",
            "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"));

    /** LeCun's handwritten digits. */
    public static final IdxFormat MNIST = new IdxFormat("mnist",
            List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9"));

    static final int IMAGES_MAGIC = 0x00000803;
    static final int LABELS_MAGIC = 0x00000801;
    private static final int BUFFER = 1 << 16;

    /** Copies the class names. */
    public IdxFormat {
        classNames = List.copyOf(classNames);
    }

    @Override
    public DataSplit load(DataRoot root, Path folder, DatasetSpec spec) {
        Part train = part(root, folder, "train");
        Part test = part(root, folder, "t10k");
        checkShapes(root, train, test);
        return new DataSplit(read(root, folder, train, "train", spec.trainLimit()),
                read(root, folder, test, "test", spec.testLimit()));
    }

    @Override
    public void check(DataRoot root, Path folder, DatasetSpec spec) {
        checkShapes(root, part(root, folder, "train"), part(root, folder, "t10k"));
    }

    /** The header of an IDX file: item count and, for images, rows and columns. */
    private record Header(Path file, int count, int rows, int columns, int headerBytes) {
        long itemBytes() {
            return (long) rows * columns;
        }
    }

    /** The image and label files of one split, their headers checked against each other. */
    private record Part(Header images, Header labels) {
    }

    private Part part(DataRoot root, Path folder, String prefix) {
        Header images = header(root, find(root, folder, prefix + "-images-idx3-ubyte"), IMAGES_MAGIC);
        Header labels = header(root, find(root, folder, prefix + "-labels-idx1-ubyte"), LABELS_MAGIC);
        if (images.count() != labels.count()) {
            throw new DatasetException(root.display(images.file()) + " has " + images.count() + " images but "
                    + root.display(labels.file()) + " has " + labels.count() + " labels");
        }
        return new Part(images, labels);
    }

    @Override
    public int[] imageShape(DataRoot root, Path folder, DatasetSpec spec) {
        Header train = part(root, folder, "train").images();
        return new int[] {1, train.rows(), train.columns()};
    }

    private static void checkShapes(DataRoot root, Part train, Part test) {
        Header a = train.images();
        Header b = test.images();
        if (a.rows() != b.rows() || a.columns() != b.columns()) {
            throw new DatasetException(root.display(b.file()) + ": images are " + b.rows() + "×" + b.columns()
                    + " but " + root.display(a.file()) + " has " + a.rows() + "×" + a.columns());
        }
    }

    private static Path find(DataRoot root, Path folder, String name) {
        Path raw = folder.resolve(name);
        if (Files.exists(raw)) {
            return root.file(raw);
        }
        Path gz = folder.resolve(name + ".gz");
        if (Files.exists(gz)) {
            return root.file(gz);
        }
        throw new DatasetException(root.display(folder) + ": missing " + name + " (or " + name + ".gz)");
    }

    private static Header header(DataRoot root, Path file, int magic) {
        String shown = root.display(file);
        try (InputStream stream = open(file, shown)) {
            DataInputStream in = new DataInputStream(stream);
            int found = in.readInt();
            if (found != magic) {
                throw new DatasetException(String.format("%s: not an IDX %s file: magic number 0x%08X, expected 0x%08X",
                        shown, magic == IMAGES_MAGIC ? "image" : "label", found, magic));
            }
            int count = in.readInt();
            int rows = magic == IMAGES_MAGIC ? in.readInt() : 1;
            int columns = magic == IMAGES_MAGIC ? in.readInt() : 1;
            if (count < 0 || rows < 1 || columns < 1) {
                throw new DatasetException(shown + ": impossible dimensions in the header: " + count + " items of "
                        + rows + "×" + columns);
            }
            Header header = new Header(file, count, rows, columns, magic == IMAGES_MAGIC ? 16 : 8);
            long expected = header.headerBytes() + header.count() * header.itemBytes();
            if (!compressed(file)) {
                long size = Files.size(file);
                if (size < expected) {
                    throw truncated(shown, expected, size, false);
                }
                if (size > expected) {
                    throw new DatasetException(shown + ": " + size + " bytes, but its header describes " + expected
                            + "; it is not a complete IDX file");
                }
            }
            if (header.count() * header.itemBytes() > Integer.MAX_VALUE - 16) {
                throw new DatasetException(shown + ": " + count + " items of " + rows + "×" + columns
                        + " are too many to hold in one array");
            }
            return header;
        } catch (EOFException e) {
            throw new DatasetException(shown + ": truncated: the file ends inside its header", e);
        } catch (ZipException e) {
            throw new DatasetException(shown + ": not valid gzip data: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new DatasetException(shown + ": cannot be read: " + e.getMessage(), e);
        }
    }

    private ImageSet read(DataRoot root, Path folder, Part part, String split, int limit) {
        int count = limit > 0 ? Math.min(limit, part.images().count()) : part.images().count();
        byte[] pixels = body(root, part.images(), count);
        byte[] labelBytes = body(root, part.labels(), count);
        int[] labels = new int[count];
        for (int i = 0; i < count; i++) {
            labels[i] = labelBytes[i] & 0xff;
            if (labels[i] >= classNames.size()) {
                throw new DatasetException(root.display(part.labels().file()) + ": label " + labels[i] + " of item "
                        + i + " is outside 0.." + (classNames.size() - 1) + " (" + name + " has "
                        + classNames.size() + " classes)");
            }
        }
        String setName = name + ":" + root.display(folder) + "/" + split;
        return new ImageSet(setName, 1, part.images().rows(), part.images().columns(), classNames, pixels, labels);
    }

    /** Reads the first {@code count} items after the header; all of them when {@code count} is the header's. */
    private static byte[] body(DataRoot root, Header header, int count) {
        String shown = root.display(header.file());
        byte[] data = new byte[Math.toIntExact(count * header.itemBytes())];
        int read = 0;
        try (InputStream in = open(header.file(), shown)) {
            in.readNBytes(header.headerBytes());
            try {
                while (read < data.length) {
                    int n = in.read(data, read, data.length - read);
                    if (n < 0) {
                        break;
                    }
                    read += n;
                }
            } catch (EOFException e) {
                // a gzip stream that stops mid-way: reported below with how much it held
            }
            long expected = header.headerBytes() + header.count() * header.itemBytes();
            if (read < data.length) {
                throw truncated(shown, expected, header.headerBytes() + read, compressed(header.file()));
            }
            if (count == header.count() && in.read() >= 0) {
                throw new DatasetException(shown + ": holds more than the " + expected
                        + " bytes its header describes; it is not a complete IDX file");
            }
            return data;
        } catch (ZipException e) {
            throw new DatasetException(shown + ": corrupt gzip data after " + (header.headerBytes() + read)
                    + " bytes: " + e.getMessage(), e);
        } catch (EOFException e) {
            throw truncated(shown, header.headerBytes() + header.count() * header.itemBytes(),
                    header.headerBytes() + read, compressed(header.file()));
        } catch (IOException e) {
            throw new DatasetException(shown + ": cannot be read: " + e.getMessage(), e);
        }
    }

    private static DatasetException truncated(String shown, long expected, long present, boolean compressed) {
        String unit = compressed ? " bytes uncompressed" : " bytes";
        return new DatasetException(shown + ": truncated: its header promises " + expected + unit + ", the file holds "
                + present);
    }

    private static boolean compressed(Path file) {
        return file.getFileName().toString().endsWith(".gz");
    }

    private static InputStream open(Path file, String shown) throws IOException {
        InputStream in = new BufferedInputStream(Files.newInputStream(file), BUFFER);
        if (!compressed(file)) {
            return in;
        }
        try {
            return new GZIPInputStream(in, BUFFER);
        } catch (ZipException | EOFException e) {
            in.close();
            throw new DatasetException(shown + ": named .gz but not gzip-compressed", e);
        }
    }
}
