package io.penni.datasets.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Stream;

import io.penni.api.job.DatasetSpec;
import io.penni.datasets.DataSplit;
import io.penni.datasets.DatasetException;
import io.penni.datasets.ImageSet;

/**
 * An ImageNet-style folder: {@code train/<class>/*.png|jpg|jpeg} and {@code test/<class>/*}, a class being a
 * folder name (classes sorted by name; the test set may lack classes but not add any). Files with other
 * extensions and names starting with a dot are ignored. Images are taken round-robin across classes (the first
 * image of every class, then the second, ...) so that a limit keeps a balanced subset. They are decoded with
 * javax.imageio, kept grey if every image is grey and converted to RGB otherwise, and either must all have the
 * first training image's size ({@code imageSize} 0) or are scaled so their shorter side is {@code imageSize}
 * and centre-cropped to a square.
 */
public final class ImageFolderFormat implements DatasetFormat {

    /** The only instance. */
    public static final ImageFolderFormat IMAGE_FOLDER = new ImageFolderFormat();

    private ImageFolderFormat() {
    }

    @Override
    public String name() {
        return "image-folder";
    }

    /** An image file and its label. */
    private record Entry(Path file, int label) {
    }

    /** The classes (train's folders) and the images of each split, in reading order. */
    private record Listing(List<String> classes, List<List<Path>> train, List<List<Path>> test) {
    }

    @Override
    public DataSplit load(DataRoot root, Path folder, DatasetSpec spec) {
        Listing listing = listing(root, folder);
        List<Entry> train = interleave(listing.train(), spec.trainLimit());
        List<Entry> test = interleave(listing.test(), spec.testLimit());
        List<DecodedImage> trainImages = decode(root, train, spec.imageSize(), Optional.empty());
        List<DecodedImage> testImages = decode(root, test, spec.imageSize(), Optional.of(trainImages.get(0)));
        boolean grey = Stream.concat(trainImages.stream(), testImages.stream()).allMatch(DecodedImage::grey);
        String name = name() + ":" + root.display(folder);
        return new DataSplit(assemble(name + "/train", train, trainImages, grey, listing.classes()),
                assemble(name + "/test", test, testImages, grey, listing.classes()));
    }

    @Override
    public void check(DataRoot root, Path folder, DatasetSpec spec) {
        Listing listing = listing(root, folder);
        // the first image of every class, header only: enough to catch a folder of non-images cheaply
        int[] expected = null;
        for (List<List<Path>> split : List.of(listing.train(), listing.test())) {
            for (List<Path> images : split) {
                Path file = images.get(0);
                int[] size = DecodedImage.size(root.file(file), root.display(file));
                if (expected == null) {
                    expected = size;
                } else if (spec.imageSize() == 0 && (size[0] != expected[0] || size[1] != expected[1])) {
                    throw sizeMismatch(root, file, size[0], size[1], expected[0], expected[1]);
                }
            }
        }
    }

    @Override
    public int[] imageShape(DataRoot root, Path folder, DatasetSpec spec) {
        if (spec.imageSize() > 0) {
            return new int[] {0, spec.imageSize(), spec.imageSize()};
        }
        Path first = listing(root, folder).train().get(0).get(0);
        int[] widthHeight = DecodedImage.size(root.file(first), root.display(first));
        return new int[] {0, widthHeight[1], widthHeight[0]};
    }

    private static Listing listing(DataRoot root, Path folder) {
        Path trainFolder = split(root, folder, "train");
        Path testFolder = split(root, folder, "test");
        List<Path> classFolders = children(root, trainFolder, true);
        if (classFolders.isEmpty()) {
            throw new DatasetException(root.display(trainFolder) + ": no class folders");
        }
        List<String> classes = classFolders.stream().map(p -> p.getFileName().toString()).toList();
        List<List<Path>> train = new ArrayList<>();
        for (Path classFolder : classFolders) {
            train.add(images(root, classFolder));
        }
        List<List<Path>> test = new ArrayList<>();
        for (int i = 0; i < classes.size(); i++) {
            test.add(List.of());
        }
        for (Path classFolder : children(root, testFolder, true)) {
            int label = classes.indexOf(classFolder.getFileName().toString());
            if (label < 0) {
                throw new DatasetException(root.display(classFolder) + ": class '" + classFolder.getFileName()
                        + "' has no folder in " + root.display(trainFolder));
            }
            test.set(label, images(root, classFolder));
        }
        if (test.stream().allMatch(List::isEmpty)) {
            throw new DatasetException(root.display(testFolder) + ": no class folders");
        }
        return new Listing(classes, train, test);
    }

    private static Path split(DataRoot root, Path folder, String name) {
        Path split = folder.resolve(name);
        if (!Files.isDirectory(split)) {
            throw new DatasetException(root.display(folder) + ": missing the " + name + "/ folder");
        }
        return root.folder(split);
    }

    private static List<Path> images(DataRoot root, Path classFolder) {
        List<Path> images = children(root, classFolder, false).stream().filter(ImageFolderFormat::isImage).toList();
        if (images.isEmpty()) {
            throw new DatasetException(root.display(classFolder) + ": empty class folder (no .png, .jpg or .jpeg)");
        }
        return images;
    }

    /** The folders (or files) in a folder, sorted by name, hidden ones left out. */
    private static List<Path> children(DataRoot root, Path folder, boolean folders) {
        try (Stream<Path> entries = Files.list(folder)) {
            return entries.filter(p -> !p.getFileName().toString().startsWith("."))
                    .filter(p -> Files.isDirectory(p) == folders).sorted().toList();
        } catch (IOException e) {
            throw new DatasetException(root.display(folder) + ": cannot be listed: " + e.getMessage(), e);
        }
    }

    private static boolean isImage(Path file) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        return name.endsWith(".png") || name.endsWith(".jpg") || name.endsWith(".jpeg");
    }

    /** Round-robin over the classes, keeping the first {@code limit} (0: all). */
    private static List<Entry> interleave(List<List<Path>> byClass, int limit) {
        int total = byClass.stream().mapToInt(List::size).sum();
        int wanted = limit > 0 ? Math.min(limit, total) : total;
        List<Entry> entries = new ArrayList<>(wanted);
        for (int round = 0; entries.size() < wanted; round++) {
            for (int label = 0; label < byClass.size() && entries.size() < wanted; label++) {
                if (round < byClass.get(label).size()) {
                    entries.add(new Entry(byClass.get(label).get(round), label));
                }
            }
        }
        return entries;
    }

    /**
     * Decodes and sizes the images; {@code reference} is the image whose size all must have when imageSize is 0
     * (the first training image; empty while decoding the training set itself, whose first image it becomes).
     */
    private static List<DecodedImage> decode(DataRoot root, List<Entry> entries, int imageSize,
            Optional<DecodedImage> reference) {
        List<DecodedImage> images = new ArrayList<>(entries.size());
        for (Entry entry : entries) {
            DecodedImage image = DecodedImage.read(root.file(entry.file()), root.display(entry.file()));
            DecodedImage first = reference.orElse(images.isEmpty() ? image : images.get(0));
            if (imageSize > 0) {
                image = image.squared(imageSize);
            } else if (image.width() != first.width() || image.height() != first.height()) {
                throw sizeMismatch(root, entry.file(), image.width(), image.height(), first.width(),
                        first.height());
            }
            images.add(image);
        }
        return images;
    }

    private static DatasetException sizeMismatch(DataRoot root, Path file, int width, int height, int firstWidth,
            int firstHeight) {
        return new DatasetException(root.display(file) + ": " + width + "×" + height + " pixels, but the first"
                + " training image is " + firstWidth + "×" + firstHeight
                + " (set imageSize to scale every image to one size)");
    }

    private static ImageSet assemble(String name, List<Entry> entries, List<DecodedImage> images, boolean grey,
            List<String> classes) {
        DecodedImage first = images.get(0);
        int channels = grey ? 1 : 3;
        int plane = first.width() * first.height();
        int imageBytes = channels * plane;
        if ((long) imageBytes * images.size() > Integer.MAX_VALUE - 16) {
            throw new DatasetException(name + ": " + images.size() + " images of " + channels + "×" + first.height()
                    + "×" + first.width() + " are too many to hold in one array (use a limit or a smaller imageSize)");
        }
        byte[] pixels = new byte[imageBytes * images.size()];
        int[] labels = new int[images.size()];
        for (int i = 0; i < images.size(); i++) {
            DecodedImage image = images.get(i);
            labels[i] = entries.get(i).label();
            for (int c = 0; c < channels; c++) {
                // a grey image in a colour set has equal red, green and blue
                int from = image.grey() ? 0 : c * plane;
                System.arraycopy(image.planes(), from, pixels, i * imageBytes + c * plane, plane);
            }
        }
        return new ImageSet(name, channels, first.height(), first.width(), classes, pixels, labels);
    }
}
