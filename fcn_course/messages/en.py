"""English: every sentence learners and instructors read (see ``fcn_course.messages``).

The same keys, in the same order and with the same ``{fields}``, as ``pt_BR.py`` (``tests/test_messages.py``
checks both): a key added to one catalogue is added to every other. Values are ``str.format`` templates:
``{name}`` is filled in by the caller, ``{{`` and ``}}`` print braces.

Terms used throughout, so that a learner meets one word for one idea: stride, feature map, scores (the
network's raw outputs, also called logits), upsampling, transposed convolution, batch, recall, skip
connection, backbone, ground truth, void.

Why this module is long: it is the course's whole catalogue in English, one entry per sentence, kept in one
file (like ``pt_BR.py``) so that a reviewer reads every sentence, and compares it with its original, in one place.
"""

MESSAGES = {
    # --- settings, profiles and environment (config, environment) -------------------------------------------
    # --- files the course writes (files) -----------------------------------------------------------------------
    "files.disk_full": (
        "the disk is full: {path} could not be written. Nothing was left half-written ({path} is as it "
        "was). Free some space in {folder} (or choose another folder) and run it again."
    ),
    "files.no_permission": (
        "no permission to write {path} ({error}). Nothing was changed: choose a folder you can write "
        "to, or fix its permissions."
    ),
    "files.not_a_folder": (
        "{path} is a file, not a folder: the output needs a folder. Nothing was changed; choose another output folder."
    ),
    "files.link": "{path} is a symbolic link: {owner} never writes through links",
    "files.not_ours": "{path} already exists and was not written by {owner}",
    "files.refused": (
        "{count} file(s) in {folder} would be overwritten, and they do not belong to this tool:\n  {problems}\n"
        "Nothing was changed. Move those files somewhere else, or choose another output folder "
        "(a new or empty one)."
    ),
    # --- data (data, download, synthetic, voc) -----------------------------------------------------------------
    "data.voc_not_found": (
        "Pascal VOC 2012 was not found in {root}.\n"
        "The course looks for the extracted tree in {voc} (root is the folder that CONTAINS VOCdevkit/).\n"
        "Missing:\n{missing}{hint}\n"
        "To work without VOC, choose the demo profile ({profile_env}=demo before starting Jupyter): the\n"
        "synthetic twin of VOC, on which the FCNs learn in minutes on a CPU. To only check that everything\n"
        "runs, the smoke profile ({profile_env}=smoke: seconds, nothing is learnt). Or create a synthetic set\n"
        "with make_synthetic_voc(root).\n"
        "To get VOC (about 2 GB): VOCSubset(..., download=True) or fcn_course.data.download_voc(root),\n"
        "or extract {archive} by hand into {root}."
    ),
    "data.hint_voc2012_folder": "\nIt looks like you passed the VOC2012 folder itself: use root={root!r}.",
    "data.hint_vocdevkit_folder": "\nIt looks like you passed the VOCdevkit folder itself: use root={root!r}.",
    "data.cache_not_an_index": "does not hold a subset index (a list of image ids under 'kept')",
    "data.cache_from_other_data": "was made from other data (changed: {changed})",
    "data.cache_unknown_images": "mentions images that are not in the split's list",
    "data.cache_unreadable": "cannot be read ({error})",
    "data.cache_rebuilt": "subset index rebuilt: {path} {problem}",
    "data.cache_not_saved": "Could not save the subset index ({errors}); it will be computed again next time.",
    "data.damaged_file": (
        "{path} cannot be read ({error}): the file is damaged (an interrupted copy or "
        "download?). Delete it and call fcn_course.data.download_voc(root), which adds the "
        "missing files and changes nothing else."
    ),
    "data.listed_files_missing": (
        "{count} file(s) listed in the split do not exist: {files}. Call "
        "fcn_course.data.download_voc(root) to add the missing files (nothing else is "
        "changed), or remove their ids from the split file."
    ),
    "data.bad_image_set": "image_set must be one of {choices}, not {image_set!r}.",
    "data.min_classes_too_high": (
        "min_classes={min_classes}, but only {count} classes were chosen ({classes}): no image "
        "would pass the filter. Use min_classes <= {count} (0 keeps every image)."
    ),
    "data.empty_split": (
        "{split} lists no image. Restore it from the VOC archive "
        "(download_voc(root, replace=True) rewrites VOC's own files) or write one image id "
        "per line into it."
    ),
    "data.nothing_kept": (
        "{image_set}: none of the {total} images of {split} shows at least "
        "min_classes={min_classes} of ({classes}). Lower min_classes or choose other classes."
    ),
    "data.summary": "{image_set}: kept {kept} of {total} images, with >= {min_classes} of ({classes})",
    "data.summary_first": "; using the first {count} (max_samples={max_samples})",
    "data.indexing_masks": "indexing the masks of {image_set}",
    "data.synthetic_written": "synthetic set written to {root}",
    "download.incomplete_tree": (
        "{voc} is incomplete: {missing} missing. Adding the missing files from the VOC "
        "archive; nothing that is already there is changed."
    ),
    "download.done": ("Pascal VOC 2012 in {voc}: {added} files added, {replaced} replaced, {kept} kept as they were."),
    "download.and_more": "{shown} and {more} more",
    "download.restart": "{partial} did not continue the right file: downloading {name} again from the start",
    "download.checksum_mismatch": (
        "the {algorithm} checksum does not match (got {got}, expected {expected}): the "
        "file is truncated or is not the VOC 2012 archive"
    ),
    "download.progress": "downloading {name}",
    "download.connection_ended": (
        "the connection ended after {received} of {length} bytes; {partial} was "
        "kept: call download_voc again to continue from there."
    ),
    "download.archive_without_voc": "{archive} does not contain VOCdevkit/VOC2012 with {parts}.",
    "download.unsafe_member": "Refused to extract {member!r}: it points outside {destination}.",
    "download.failed": (
        "Could not download Pascal VOC 2012 ({archive}, about 2 GB) into {root}.\n"
        "Tried:\n{tried}\n"
        "What you can do:\n"
        "  1. Check the internet connection and call download_voc(root) again.\n"
        "  2. Get {archive} some other way (an address above in a browser, a classmate, a USB stick) and "
        "extract it\n"
        "     into {root}, so that {voc} contains JPEGImages/, SegmentationClass/ and\n"
        "     ImageSets/Segmentation/.\n"
        "  3. Work without VOC: the demo profile ({profile_env}=demo before starting Jupyter) uses a synthetic\n"
        "     twin on which the FCNs learn in minutes on a CPU; the smoke profile ({profile_env}=smoke) only\n"
        "     checks that everything runs. Or create a synthetic set with fcn_course.data.make_synthetic_voc(root)."
    ),
    "synthetic.foreign_folder": (
        "{root} already holds files the course did not write (there is no {marker}); the "
        "synthetic set goes into a folder of its own: empty that folder or point "
        "{data_env} somewhere else."
    ),
    "voc.unknown_classes": "Class(es) that do not exist in VOC: {unknown}. Valid names: {valid}.",
    "voc.classes_not_a_list": (
        "classes must be a list of names, for example ('background', 'bus', 'person'), not {classes!r}."
    ),
    "voc.background_first": (
        "The first class must be 'background' (index 0 also receives every class you did "
        "not choose); got {classes}. Example: ('background', 'bus', 'person')."
    ),
    "voc.class_repeated": "Each class may appear only once; got {classes}.",
    "voc.mask_not_palette": (
        "{path}: expected a palette PNG ('P') holding class indices, got mode {mode!r}. "
        "Coloured (RGB) masks must first be turned back into indices, with voc_colormap()."
    ),
    # The name learners read for each Pascal VOC class (legends, tables): "voc.class.<VOC name>".
    "voc.class.background": "background",
    "voc.class.aeroplane": "aeroplane",
    "voc.class.bicycle": "bicycle",
    "voc.class.bird": "bird",
    "voc.class.boat": "boat",
    "voc.class.bottle": "bottle",
    "voc.class.bus": "bus",
    "voc.class.car": "car",
    "voc.class.cat": "cat",
    "voc.class.chair": "chair",
    "voc.class.cow": "cow",
    "voc.class.diningtable": "dining table",
    "voc.class.dog": "dog",
    "voc.class.horse": "horse",
    "voc.class.motorbike": "motorbike",
    "voc.class.person": "person",
    "voc.class.pottedplant": "potted plant",
    "voc.class.sheep": "sheep",
    "voc.class.sofa": "sofa",
    "voc.class.train": "train",
    "voc.class.tvmonitor": "tv/monitor",
    # --- backbones and their ImageNet weights (backbones) --------------------------------------------------
    "backbones.unknown": "unknown backbone {name!r}; the known backbones are: {known}",
    "backbones.no_weights": "{backbone} has no ImageNet weights in the course's registry; use pretrained=False.",
    "backbones.env_not_set": "${env}: not set",
    "backbones.download_failed": "download from {url}: failed: {error}",
    "backbones.where_env_folder": "${env} folder",
    "backbones.where_env_file": "${env} file",
    "backbones.where_hub_cache": "torch hub cache",
    "backbones.file_not_found": "{path} ({where}): not found",
    "backbones.wrong_hash": (
        "{path} ({where}): found, but its sha256 does not start with {prefix}, as its name "
        "{file} promises: it is not torchvision's file (or it is damaged); "
        "delete it and download it again"
    ),
    "backbones.unusable_file": "{path} ({where}): found, but unusable (delete or replace it): {problem}",
    "backbones.weights_help": (
        "Could not load the ImageNet weights of {backbone} (pretrained=True). Tried:\n"
        "{tried}\n"
        "Expected file: {file} (it can be downloaded from {url}).\n"
        "To fix it, pick one way:\n"
        "  - copy {file} into the torch hub cache: {hub_folder}/\n"
        "  - or put it in a folder of yours and point the environment variable {env} at that folder\n"
        "    (or at the file itself), for example os.environ['{env}'] = '/path/to/weights';\n"
        "  - or train from scratch with pretrained=False (nothing is downloaded; expect a lower mIoU)."
    ),
    "backbones.no_conv": "feature_channels: the module has no Conv2d layer",
    "data.mask_unknown_indices": (
        "{path} has pixels with the value(s) {values}, which are neither Pascal VOC classes (0 to {last}) "
        "nor void (255)"
    ),
    "data.mask_size": (
        "{mask} has {mask_size} pixels (width x height), but the photo {image} has {image_size}: the "
        "mask must have the size of its photo"
    ),
    "data.bad_masks": (
        "{count} of {total} mask(s) listed in {split} are not Pascal VOC class masks of their "
        "photo:\n  {problems}\nA VOC mask is a palette PNG holding the class index of "
        "each pixel, with the size of the photo (an instance mask from SegmentationObject or an "
        "edited, resized picture will not do). Fix or replace those files "
        "(download_voc(root, replace=True) restores VOC's files), or remove their ids from the "
        "list."
    ),
    # --- the run folder, training and predictions (runs, engine, predict, experiments, report) ---------------
    "engine.phase.train": "train",
    "engine.phase.val": "validation",
    "engine.epoch_line": (
        "[epoch {epoch}] [{phase}] loss {loss_mean:.4f} +/- {loss_std:.4f} | mIoU(fg) "
        "{miou_fg:.4f} | time {seconds:.1f}s"
    ),
    "engine.progress": "epoch {epoch} {phase}",
    "engine.progress_loss": "loss={loss:.4f}",
    "engine.loss_not_a_tensor": (
        "loss_fn returned {given}, not a tensor: it must return the batch's loss (did you forget `return loss`?)."
    ),
    "engine.loss_not_a_number": (
        "loss_fn returned a tensor of shape {shape}; it must return a single "
        "number (a scalar tensor): the mean loss over the batch's pixels."
    ),
    "engine.loss_not_finite": (
        "The loss is {loss} at epoch {epoch}, batch {batch}: training diverged. The most common cause is a "
        "learning rate that is too high: lower args['lr'] (for example 10 times) and start again with a fresh "
        "model. Also check that the loss ignores the void pixels (ignore_index=255) and that the labels are in "
        "0..num_classes-1."
    ),
    "engine.empty_loader": (
        "The {phase} loader produced no batch: check the data set (is it empty?) and drop_last/batch_size."
    ),
    "engine.unknown_backbone": (
        "cannot tell which backbone {net} uses: set args['backbone'] (a name registered in "
        "fcn_course.backbones.BACKBONES)."
    ),
    "engine.resume_needs_run_dir": "resume=True needs the run_dir that holds last.pt.",
    "engine.resuming": "Resuming {run_dir} after epoch {epoch}.",
    "engine.no_checkpoint": "No checkpoint in {run_dir}: starting at epoch 1.",
    "engine.best_epoch": "Best validation mIoU(fg) {miou:.4f} at epoch {epoch}.",
    "engine.ingredients_expected": (
        "expected TrainingIngredients(model_classes, make_optimizer, compute_loss, make_criterion) with your "
        "four pieces (the FCN classes in a dict, for example {{\"alexnet\": FCN_AlexNet}}, and the three "
        "functions of exercise 3), not {given}."
    ),
    "runs.bad_checkpoint_choice": "which must be 'best' or 'last', not {which!r}.",
    "runs.bad_phase": (
        "a History has the phases 'train' and 'val', not {phase!r}: use history['train'] or history['val']."
    ),
    "runs.unknown_format": (
        "{path} is in format {found}, but this version of the course reads format {known}: the folder "
        "was written by another (newer?) version of the course. Nothing was changed. Update the course "
        "(git pull, or download the new version) to continue this run, or train with this "
        "version in a new folder."
    ),
    "runs.no_backbone": (
        "the run's settings do not say which backbone it uses: add args['backbone'] (for example 'alexnet')."
    ),
    "runs.not_writable": (
        "cannot write to the run folder {run_dir} ({error}); choose another folder (run_dir=..., or FCN_COURSE_RUNS)."
    ),
    "runs.best_is_separate": " {best} is a separate file: predict can still use it, if it is whole.",
    "runs.truncated_checkpoint": (
        "the checkpoint {path} is truncated (the process was killed while writing it, or "
        "the copy broke), so this run cannot continue from it. Nothing was "
        "changed.{kept} To train this run again from the start, delete {path} "
        "(or the whole folder {folder})."
    ),
    "runs.other_settings": (
        "{run_dir} holds a run started with other settings:\n  {changes}\n"
        "Nothing was changed. Use another run folder for the new settings, or the "
        "old settings to continue this run."
    ),
    "runs.checkpoint_without_run_file": (
        "{run_dir} holds a checkpoint but no {run_file} (a run from an "
        "old version of the course): its settings cannot be compared with "
        "these. Start a new run folder."
    ),
    "runs.no_run_file": (
        "{run_dir} has no {run_file} saying which network it holds (backbone, skip, classes). Train again "
        "with this version of the course, or describe the run: fcn_course.runs.write_run_config(run_dir, "
        "{{'backbone': 'alexnet', 'skip': True, 'pretrained': False, 'classes': ('background', 'bus', 'person'), "
        "...course_args()}})."
    ),
    "runs.checkpoint_not_found": (
        "Checkpoint not found: {path}. Train first with fit(..., run_dir=...) "
        "(or with the grid): it writes best.pt and last.pt into the run folder."
    ),
    "runs.unreadable_checkpoint": (
        "the checkpoint {path} cannot be read ({error}): it is not a PyTorch "
        "checkpoint, or it is truncated or damaged. Delete it to train this run "
        "again from the start (or use the other one of best.pt/last.pt)."
    ),
    "runs.not_a_dict_of_weights": "{path} does not hold a dictionary of weights.",
    "runs.no_optimizer_state": (
        "{path} does not keep the optimiser's state ({best} keeps only the weights); resume from {last}."
    ),
    "runs.no_grid_index": "No {grid_file} in {grid_dir}: is this really the output folder of run_grid?",
    "runs.grid_other_settings": (
        "{grid_dir} holds a grid trained with other settings ({changes}). Nothing "
        "was changed: use another out_dir, or delete this one to start again."
    ),
    "predict.image_not_found": "Image not found: {path}",
    "predict.is_a_folder": "{path} is a folder; pass an image file (or use predict_folder).",
    "predict.not_an_image": (
        "{path} is not an image Pillow can read ({error}). Use a photo file such as .jpg or .png."
    ),
    "predict.beyond_16_bits": (
        "{name} has values in mode {mode} from {low} to {high}, beyond 16 bits: convert it "
        "first to an 8-bit RGB image (for example a .jpg or .png)."
    ),
    "predict.floating_point": (
        "{name} is a 32-bit floating-point image: convert it first to an 8-bit RGB image (for example a .jpg or .png)."
    ),
    "predict.unknown_class": "Unknown class {name}: the classes must be Pascal VOC names ({known}).",
    "predict.label_outside": (
        "the label has values outside 0..{last} (and 255): minimum {low}, maximum {high}. "
        "Are these really the right classes?"
    ),
    "predict.label_shape": (
        "the label has shape {shape}, but the image is {height}x{width} (height x width); predict at the original size."
    ),
    "predict.output_is_input_folder": (
        "the output folder {out_dir} is the folder of the input images ({folder}): the "
        "results would be written among your photos. Choose another output "
        "folder (--out predictions, or out_dir=... in Python)."
    ),
    "predict.missing_model_class": (
        "{path} holds an FCN {backbone}, but model_classes only has {known}; pass your class {class_name}."
    ),
    "predict.weights_do_not_fit": "The weights in {path} do not fit {class_name} (skip={skip}): {error}",
    "predict.grid_not_found": "Grid folder not found: {grid_dir}",
    "predict.no_trained_run": "No trained run in {grid_dir} (no */best.pt): run the grid first.",
    "predict.not_found": "Not found: {path}",
    "predict.no_images": "No image in {path} (looked for {suffixes}).",
    "predict.no_fcn_class": "no FCN class ({names}) is defined in {paths}",
    "predict.error": "error: {error}",
    "predict.model_line": "FCN {backbone} (skip={skip}), classes {classes}, input size {size}",
    "predict.original_size": "original",
    "predict.skipped": "skipped {path}: {error}",
    "predict.none_segmented": "error: no image could be segmented.",
    "predict.results_in": "results in {folder}",
    "predict.too_many_pixels": (
        "{path} claims to have too many pixels to open safely ({error}): it may be a "
        "corrupt image or one made to hang the computer. Shrink the photo (for example "
        "to about 500 pixels a side) and try again."
    ),
    # --- metrics (metrics) -------------------------------------------------------------------------------------
    "metrics.not_an_array": (
        "{name} must be a torch tensor or a numpy array, not {type}: convert it with torch.as_tensor(...) "
        "or np.asarray(...)."
    ),
    "metrics.num_classes_range": (
        "num_classes must be between 1 and 10000, not {num_classes}: pass the number of classes of your "
        "dataset (for example 3, for background, bus and person)."
    ),
    "metrics.labels_not_integer": (
        "labels must hold integer class indices, but its dtype is {dtype}: convert it with labels.long()."
    ),
    "metrics.scores_other_classes": (
        "preds look like scores of shape {shape}, with {found} classes on the class axis, but this "
        "ConfusionMatrix has num_classes={num_classes}: check the number of outputs of the network, or num_classes."
    ),
    "metrics.float_without_class_axis": (
        "preds of shape {shape} are floating point but have no class axis: pass the class indices "
        "(for example outputs.argmax(1)) or the raw scores [B, C, H, W]."
    ),
    "metrics.shapes_differ": (
        "preds and labels do not match: preds {preds} vs labels {labels}. For labels [B, H, W], pass preds "
        "[B, H, W] with class indices or [B, C, H, W] with scores."
    ),
    "metrics.other_than_ignored": " (other than the ignored {ignore_index})",
    "metrics.out_of_range": (
        "{name} contain class indices {examples}{ignored} outside 0..{last}: check num_classes and the label mapping."
    ),
    "metrics.class_names_count": (
        "got {given} class names for {num_classes} classes: pass one name per class, in index order."
    ),
    # the per-class table that ConfusionMatrix.table() prints
    "metrics.table_class": "class",
    "metrics.table_mean": "mean",
    "metrics.table_unnamed_class": "class {index}",
    # --- figures (plots) ---------------------------------------------------------------------------------------
    "figures.void": "void (ignored)",
    "figures.epoch": "epoch",
    "figures.epoch_title": "epoch {epoch}",
    "figures.best_epoch_iou": "IoU (best epoch)",
    "figures.column.image": "Image",
    "figures.column.label": "Label",
    "figures.column.overlay": "Overlay",
    "figures.column.prediction": "Prediction",
    "figures.column.ground_truth": "Ground truth",
    "figures.samples.item": "item {index}",
    "figures.pixel_frequencies.ylabel": "fraction of the pixels",
    "figures.pixel_frequencies.title": "How often each class appears in the training pixels (void left out)",
    "figures.metric.loss_mean": "Loss (mean ± standard deviation)",
    "figures.metric.miou_fg": "mIoU without the background",
    "figures.metric.miou": "mIoU (every class)",
    "figures.metric.mdice": "Mean Dice",
    "figures.metric.pixel_acc": "Pixel accuracy",
    "figures.metric.time": "Time per epoch (s)",
    "figures.phase.train": "train",
    "figures.phase.val": "validation",
    "figures.grid.miou_title": "Validation mIoU (without the background)",
    "figures.grid.loss_title": "training loss",
    "figures.grid.loss_ylabel": "cross-entropy",
    "figures.grid.no_runs": "no trained configuration",
    "figures.per_class_iou.title": "IoU per class and configuration",
    "figures.prediction_rows.image": "image",
    "figures.prediction_rows.ground_truth": "ground truth",
    "figures.prediction_rows.title": (
        "Validation images: ground truth and the prediction of each configuration (best.pt)"
    ),
    "figures.confusion.title": "Confusion matrix",
    "figures.confusion.predicted": "predicted class",
    "figures.confusion.true": "true class",
    "figures.confusion.colorbar": "fraction of the true class's pixels",
    "figures.options.miou_xlabel": "validation mIoU(fg) (best epoch)",
    "figures.options.miou_title": "One change per option",
    "figures.options.iou_title": "IoU per class",
    "figures.iou.poor": "Poor",
    "figures.iou.good": "Good",
    "figures.iou.excellent": "Excellent",
    "figures.iou.truth_box": "A: ground truth",
    "figures.iou.prediction_box": "B: prediction",
    "figures.iou.title": "IoU = |A ∩ B| / |A ∪ B|   (1 = perfect overlap, 0 = none)",
    "figures.diagram.input_224": "image\n3×224×224",
    "figures.diagram.backbone": "pretrained backbone (the CNN's convolutional layers)",
    "figures.diagram.classifier_1x1": "classifier\n1×1 conv\nC classes, {size}×{size}",
    "figures.diagram.upsampling": "bilinear\nupsampling\n{source}×{source} → {target}×{target}",
    "figures.diagram.scores": "scores per\npixel\nC×224×224",
    "figures.diagram.title_noskip": (
        "FCN without a skip connection (FCN-32s): predict at {size}×{size} and upsample to 224×224"
    ),
    "figures.diagram.concatenate": "concatenate\nalong the\nchannels ({size}×{size})",
    "figures.diagram.skip": "skip connection:\n{stage} feature maps ({size}×{size})\n(with {stage16}: FCN-16s)",
    "figures.diagram.classifier": "convolutional\nclassifier\nC classes",
    "figures.diagram.scores_skip": "scores\nper pixel\nC×224×224",
    "figures.diagram.title_skip": (
        "FCN with a skip connection (FCN-8s style): joins the detail of {stage} with the meaning of {deepest}"
    ),
    "figures.cnn_to_fcn.image": "image\n224×224",
    "figures.cnn_to_fcn.convolutions": "convolutional\nlayers\n256×6×6",
    "figures.cnn_to_fcn.flatten": "flatten\n(to a vector)\n9216",
    "figures.cnn_to_fcn.one_label": "one label\nper image:\n\"bus\"",
    "figures.cnn_to_fcn.title_cnn": "Classification CNN: sparse labelling (one label for the whole image)",
    "figures.cnn_to_fcn.image_any": "image\nH×W",
    "figures.cnn_to_fcn.same_convolutions": "the same\nconvolutional layers\n256×H/32×W/32",
    "figures.cnn_to_fcn.classifier": "convolutional\nclassifier (1×1)\nC×H/32×W/32",
    "figures.cnn_to_fcn.upsampling": "bilinear\nupsampling\nC×H×W",
    "figures.cnn_to_fcn.label_per_pixel": "one label\nper pixel",
    "figures.cnn_to_fcn.title_fcn": "FCN: dense labelling (the FC layers become convolutions)",
    "figures.bilinear.scores": "4×4 scores\n(the network's output)",
    "figures.bilinear.nearest": "nearest neighbour ×{scale}\n(blocks)",
    "figures.bilinear.bilinear": "bilinear ×{scale}\n(smooth transitions)",
    "figures.bilinear.colorbar": "class score",
    "figures.bilinear.title": "F.interpolate: upsampling a score map",
    "figures.checkerboard.bilinear": "{size}×{size} bilinear kernel, stride {stride}",
    "figures.checkerboard.uniform": "3×3 uniform kernel, stride 2\n(3 is not a multiple of 2)",
    "figures.checkerboard.random": "{size}×{size} random kernel, stride {stride}",
    "figures.checkerboard.input": "constant 8×8 input",
    "figures.checkerboard.panel": "{title}\nmin {low:.2f}, max {high:.2f}",
    "figures.checkerboard.title": "Transposed convolution of a constant image: the checkerboard pattern (borders cropped)",
    "figures.label_interpolation.original": "original label",
    "figures.label_interpolation.nearest": "nearest neighbour (right)",
    "figures.label_interpolation.bilinear": "bilinear, rounded (wrong;\nnon-classes in the void colour)",
    "figures.label_interpolation.invented": "pixels with an invented index: {count}",
    "figures.label_interpolation.title": "Resizing a label ×{factor:g}: never interpolate class indices",
    "figures.colorize_not_one_map": (
        "colorize expects one label map [H, W], but got shape {shape}: for a batch, colour one item at a "
        "time (for example label[0])."
    ),
    "figures.label_out_of_range": (
        "the label has values {values} outside 0..{last} and {void} (void): check classes=... (one name per "
        "index) and the label mapping."
    ),
    "figures.samples_no_classes": (
        "pass classes=... (the dataset has no .classes attribute), for example "
        "classes=(\"background\", \"bus\", \"person\")."
    ),
    "figures.samples_empty": (
        "the dataset is empty: there is nothing to show. Check the data folder and the filters "
        "(min_classes, max_samples)."
    ),
    "figures.batch_sizes_differ": (
        "the batches differ in size: {images} images, {preds} predictions, {labels} labels. Pass images, "
        "predictions and labels of the same batch."
    ),
    "figures.history_list_key": (
        "the history key {key!r} holds a list (one value per class): pick a scalar key, such as "
        "'loss_mean' or 'miou_fg'."
    ),
    # --- notebooks and definitions (definitions, widgets, colab) -----------------------------------------------
    "definitions.cell_name": "cell {number} of {notebook}",
    "definitions.error_at_line": "{error} (line {line})",
    "definitions.newer_pair": (
        "Warning: {newer} was saved after {older} and the two differ; {newer}, the more recent "
        "one, was used. To sync the pair, delete the older one or run "
        "`jupytext --sync {newer}`."
    ),
    "definitions.not_found": (
        "{path} was not found (nor its .py/.ipynb pair): it must be in the same folder as this notebook."
    ),
    "definitions.not_found_in": (
        "{name} was not found (nor its .py/.ipynb pair, nor a copy such as \"Copy of "
        "{name}\") in: {folders}. Put the course's notebooks in one of those folders, or "
        "pass the file's full path."
    ),
    "definitions.mount_drive": (
        "In Colab, your notebooks live in Google Drive: mount it (run the set-up cell "
        "with {flag} = True, or from google.colab import drive; "
        "drive.mount(\"{mount_point}\")) and run this cell again."
    ),
    "definitions.reading_copy": "Reading {name} from {path}.",
    "definitions.cells_failed_warning": "Some definitions of {notebook} raised an error:{problems}",
    "definitions.not_defined": "{notebook} does not define {names}.",
    "definitions.where_to_define": (
        "- `{name}` comes from the exercise cell{exercise} of {notebook}: complete it "
        "(without changing the name), run it and save the notebook."
    ),
    "definitions.found": "Definitions found: {found}.",
    "definitions.nothing_found": "none",
    "definitions.failed_cells": "These cells raised an error:",
    "widgets.title_image": "image",
    "widgets.title_image_with_labels": "image + labels",
    "widgets.title_true_label": "ground truth",
    "widgets.title_prediction": "prediction",
    "widgets.title_errors": "errors (pixel accuracy {accuracy:.1%})",
    "widgets.legend_correct": "right",
    "widgets.legend_wrong": "wrong",
    "widgets.legend_void": "void (not scored)",
    "widgets.control_sample": "sample",
    "widgets.control_show_labels": "show labels",
    "widgets.control_opacity": "opacity",
    "widgets.control_configuration": "configuration",
    "widgets.sample_title": "sample {index} / {last}",
    "widgets.sample_title_with_id": "sample {index} / {last} (id {image_id})",
    "widgets.empty_dataset_browse": "The data set is empty: there is nothing to show.",
    "widgets.empty_dataset_predict": "The data set is empty: there is nothing to predict.",
    "widgets.no_models": "No model: pass {{'name': model, ...}} or the folder of a grid.",
    "widgets.unknown_configuration": "Unknown configuration {name!r}; choose one of {choices}.",
    "colab.badge": "Open in Colab",
    "colab.setup_comment": (
        "# Google Colab: installs the course and (if you want) keeps the data in your Drive.\n"
        "# Outside Colab this cell only chooses the language of the course's messages."
    ),
    "colab.language_comment": "the language of this notebook's messages",
    "colab.drive_flag_comment": "True: the course's data in {folder} in your Google Drive",
    "colab.installed_locally": (
        "Course installed. The data stays on Colab's temporary disk (use {flag} = True "
        "to keep it in your Google Drive)."
    ),
    "colab.installed_with_drive": "Course installed. The course's data is in {folder} ({data_env}).",
    "colab.install_failed": (
        "Could not install the course from {url} (pip's message, above, says why). "
        "Check the internet connection and whether that address opens in a browser: Colab "
        "does not install from a private repository. Then run this cell again."
    ),
    # --- self-checks (checks/) ---------------------------------------------------------------------------------
    "checks.exercise_title": "Exercise {number} ({title})",
    "checks.challenge_title": "Challenge {number} ({title})",
    "checks.challenge_stub": (
        "   (Challenge: extra and optional, it does not count towards the grade; the rest of the notebook runs "
        "without it. Come back to it when you want to go further.)"
    ),
    "checks.passed": "✅ {title}: all correct!",
    "checks.failed": "❌ {title}:",
    "checks.finish_first": "Finish {title} before moving on: {stub}",
    "checks.optional_stub": "   (optional exercise: the rest of the notebook runs without it; come back to it whenever you like.)",
    "checks.not_implemented": "not implemented yet ({hint})",
    "checks.not_implemented_default": "complete the marked part",
    "checks.student_error": "your code raised {error_type}: {error}{where}",
    "checks.error_where": " ({where}: `{line}`)",
    "checks.where_loaded_cell": "cell {cell} of {notebook}, line {line}",
    "checks.where_ipython_cell": "cell [{cell}], line {line}",
    "checks.where_your_cell": "line {line} of your cell",
    "checks.where_file": "{file}, line {line}",
    "checks.missing_names": (
        "{names} not found in the notebook {notebook}.ipynb (was the cell of {exercise} "
        "deleted or renamed, or does it fail to run?)."
    ),
    "checks.fcn_unknown_backbone": (
        "the backbone of {name} was not recognised: use one of the course's class names "
        "({names}) or call check_fcn(..., backbone='alexnet')."
    ),
    "checks.unknown_exercise": "there is no exercise {key!r} in the course; the exercises are: {keys}.",
    "checks.feedback.note": "   ℹ️ note: {note}",
    "checks.feedback.weights_requested": (
        "your code asked for the ImageNet weights{where}, but the check built the model with pretrained=False: "
        "pass the pretrained argument on to the backbone loader (`load_alexnet(pretrained)`) instead of fixing True."
    ),
    "checks.feedback.undecided": (
        "this check could not finish: {error}. Look at what your code "
        "returns (type and shape); if everything looks right, show this message to a teaching assistant."
    ),
    "checks.feedback.inplace": (
        "{what}: an in-place operation (such as `p[mask] = 0`, `p *= valid` or `masked_fill_`) changed a tensor "
        "the gradient needs{where}. Use the version that makes a new tensor: `p = p * valid` or "
        "`p.masked_fill(...)` (without the `_`)."
    ),
    # Exercise 0 (checks/metrics.py)
    "checks.metrics.case_common": "an ordinary 3x3 matrix",
    "checks.metrics.case_absent": "an absent class (its row and column are zero)",
    "checks.metrics.case_perfect": "a perfect prediction",
    "checks.metrics.case_never_right": "a class that is present but never predicted right ([[5, 1], [3, 0]])",
    "checks.metrics.case_only_predicted": "a predicted class that is in no label ([[4, 2], [0, 0]])",
    "checks.metrics.case_random": "a random {n}x{n} matrix (with zero rows or columns)",
    "checks.metrics.with_case": "with {case}",
    "checks.metrics.return_pair": "the function must return the pair (iou, dice): `return iou, dice`.",
    "checks.metrics.not_numbers": "{label} with {case}: expected an array of numbers, got {kind}.",
    "checks.metrics.wrong_shape": "{label} with {case}: expected one value per class {expected}, got {shape}.{hint}",
    "checks.metrics.hint_any_class_count": (
        " The function must work for any number of classes: use len(matrix), not a fixed number."
    ),
    "checks.metrics.wrong_values": "{label} with {case}: expected {expected}, got {value}. Hint: {hint}",
    "checks.metrics.hint_nan_for_absent": (
        "for a class that appears neither in the label nor in the prediction, return NaN (0/0), not 0 or 1."
    ),
    "checks.metrics.hint_zero_not_nan": (
        "a class that appears in the label or in the prediction but is never predicted right (TP = 0) has "
        "{label} 0, not NaN; NaN only when TP + FP + FN = 0 (the class appears nowhere)."
    ),
    "checks.metrics.formula_iou": "IoU = TP/(TP+FP+FN)",
    "checks.metrics.formula_dice": "Dice = 2TP/(2TP+FP+FN) (TP counts twice)",
    "checks.metrics.hint_swapped": (
        "the values look swapped: return the IoU first and then the Dice (`return iou, dice`)."
    ),
    "checks.metrics.hint_recall": (
        "this is each class's recall, TP/(TP+FN): the FP is missing from the denominator (the mistake "
        "of the original notebook); {formula}."
    ),
    "checks.metrics.hint_precision": (
        "this is each class's precision, TP/(TP+FP): the FN is missing from the denominator; {formula}."
    ),
    "checks.metrics.hint_twice_iou": "Dice is not 2·IoU: Dice = 2TP/(2TP+FP+FN) (which equals 2·IoU/(1+IoU)).",
    "checks.metrics.hint_integer_division": (
        "this looks like integer division (//), which rounds down: use ordinary division (/); {formula}."
    ),
    "checks.metrics.hint_formula": (
        "{formula}; rows = true class, columns = predicted class; FP sums the column and FN sums the row "
        "(without the TP)."
    ),
    # Exercises 1, 2 and 6: the FCNs (checks/models.py)
    "checks.models.not_a_course_backbone": "{weights} is not a backbone of the course: use a registered one ({names}).",
    "checks.models.build": "building the model",
    "checks.models.build_five": "building the model with num_classes=5",
    "checks.models.build_pretrained": "building the model with pretrained={pretrained}",
    "checks.models.prefix_16s": "with skip='16s': ",
    "checks.models.forward": "forward with input [2, 3, {height}, {width}]",
    "checks.models.missing_attributes": "the attributes {missing} are missing (with skip={skip} the network must have {names}).",
    "checks.models.first_conv": (
        "`{name}` must start with the first convolution of torchvision's backbone (weights "
        "{shape}); use the `features` layers of the loaded model."
    ),
    "checks.models.linear_layers": (
        "the FCN must not have nn.Linear layers: replace the fully connected layers "
        "with convolutions (that is what makes the network 'fully convolutional')."
    ),
    "checks.models.classifier_without_conv": (
        "`classifier` must contain convolutions (the last one with num_classes output channels)."
    ),
    "checks.models.frozen_from_scratch": (
        "with pretrained=False {count} of {total} parameter tensors are frozen (requires_grad=False), "
        "starting with `{name}`: when training from scratch the weights are random and the whole network has to "
        "learn. Freeze nothing here (with pretrained=True the optimiser already uses lr × 0.1 on the backbone)."
    ),
    "checks.models.void_channel": (
        "with num_classes={num_classes} the output has {channels} channels, one too many: void (255) is not a "
        "class — the loss ignores it (ignore_index=255) and the network predicts only num_classes scores."
    ),
    "checks.models.wrong_class_count": (
        "with num_classes={num_classes} the output has {channels} channels: the classifier's last convolution "
        "must have num_classes output channels (use the num_classes argument, not a fixed number)."
    ),
    "checks.models.wrong_output_shape": (
        "for the input [2, 3, {height}, {width}] the output should be {expected}, got {shape}. Hint: upsample "
        "the scores to the input's size (x.shape[-2:]), not to a fixed size such as 224."
    ),
    "checks.models.not_raw_scores": (
        "the output seems to have gone through {kind} at the end of forward: return the raw scores (logits) of "
        "the last convolution, upsampled. nn.CrossEntropyLoss already applies log_softmax; with {kind} at the end "
        "it would work on values that were already transformed and training gets worse. Use softmax only "
        "outside the model, to look at probabilities."
    ),
    "checks.models.dropout_in_eval": (
        "in evaluation mode (net.eval()) two passes over the same image gave different outputs: dropout is "
        "active even in eval. Create the dropout as a layer in __init__ (nn.Dropout2d(0.5)) instead of "
        "F.dropout(x, 0.5) or nn.Dropout(...)(x) in forward: only a registered layer is switched off by net.eval()."
    ),
    "checks.models.batch_statistics_in_eval": (
        "in evaluation mode the output for one image changed with the other images of the batch: a BatchNorm is "
        "using the batch's statistics even in eval. Create the layer in __init__ (nn.BatchNorm2d(channels)), not "
        "in forward nor with F.batch_norm(..., training=True)."
    ),
    "checks.models.map_shape": "{channels} channels, {height}x{width}",
    "checks.models.deep_cut": (
        "for a {height}x{width} input, self.{name} should end where `features` ends, at the 1/32 feature map "
        "({expected}); got {shape}. Use `features` to the end, without cutting layers or adding the "
        "classifier's avgpool."
    ),
    "checks.models.shallow_cut": (
        "with skip='{skip}', for a {height}x{width} input self.backbone1 should end at the pooling of "
        "stride {stride} ({expected}); got {shape}{built_as}. Cut `features` at the pooling index of each variant."
    ),
    "checks.models.built_as": " (that is the cut of skip='{other}')",
    "checks.models.skip_unused": (
        "the output does not change when only the shallow path (the output of backbone1) changes: the skip "
        "connection is not used. Hint: concatenate the feature maps of backbone1 with those of backbone2 "
        "(upsampled to the same size) with torch.cat(..., dim=1) before the classifier."
    ),
    "checks.models.skip_coarse": (
        "the skip connection brings no fine detail: a change at one point of backbone1's feature maps changes "
        "{shallow} output pixels, as many as one point of the 1/32 map ({deep} pixels). Hint: the fusion must "
        "happen at backbone1's resolution (upsample the deep feature maps to the size of the shallow ones, do not "
        "shrink the shallow ones to 1/32)."
    ),
    "checks.models.loader_not_called": (
        "the model did not call `{loader}(pretrained)` from fcn_course.backbones (nor torchvision's constructor); "
        "use it so that the pretrained argument is respected (it downloads/loads the ImageNet weights or "
        "explains how to get them)."
    ),
    "checks.models.flag_not_passed": (
        "with pretrained={pretrained} the backbone was loaded with pretrained={loaded}: "
        "pass the argument on, `{loader}(pretrained)`."
    ),
    "checks.models.pretrained_overwritten": (
        "with pretrained=True the ImageNet weights were overwritten after being "
        "loaded; call initialize_weights only when pretrained=False."
    ),
    "checks.models.never_initialised": (
        "with pretrained=False the weights should be initialised: call "
        "initialize_weights(self) at the end of __init__ when pretrained=False."
    ),
    "checks.models.no_upsampling": (
        "no upsampling was found: use F.interpolate(..., mode='bilinear') to get back to the input's size."
    ),
    "checks.models.not_bilinear": (
        "the upsampling uses mode={mode!r} in at least one of the interpolations; the FCNs "
        "use bilinear interpolation (mode='bilinear') in all of them."
    ),
    # Exercise 3 (checks/training.py): the optimiser
    "checks.training.build_case": "building the model ({case})",
    "checks.training.not_adam": "{case}: use torch.optim.Adam (got {kind}).",
    "checks.training.decoupled": (
        "{case}: got {kind} with decoupled weight decay (subtracted straight from the weights, as AdamW does); "
        "the course asks for torch.optim.Adam with weight_decay as L2 regularisation (added to the gradient), "
        "and the two train differently. Use optim.Adam(..., weight_decay=args['weight_decay'])."
    ),
    "checks.training.betas": (
        "{case}: with args['momentum'] = {momentum}, betas should be (args['momentum'], 0.999) = {want}, got "
        "{got}. Hint: pass betas=(args['momentum'], 0.999) to Adam (Adam's default does not follow args)."
    ),
    "checks.training.weight_decay": (
        "{case}: weight_decay should be args['weight_decay'] ({want:g}), got {got:g}. Hint: pass "
        "weight_decay=args['weight_decay'] to Adam (it applies to every parameter group)."
    ),
    "checks.training.duplicate_parameter": (
        "{case}: the same parameter appears twice in the optimiser (pass each one only once)."
    ),
    "checks.training.missing_one": "1 of {total} parameter tensors is missing",
    "checks.training.missing_many": "{count} of {total} parameter tensors are missing",
    "checks.training.parameter_missing": (
        "{case}: the parameter `{name}` is not in the optimiser (it would not be trained); {count}."
    ),
    "checks.training.part_backbone": "of the backbone",
    "checks.training.part_classifier": "of the classifier",
    "checks.training.rule_pretrained": "the pretrained backbone uses lr × 0.1 and the rest uses lr",
    "checks.training.rule_scratch": (
        "when training from scratch (pretrained=False) the backbone has no ImageNet weights to "
        "preserve: everything uses the same lr; lr × 0.1 applies only with pretrained=True"
    ),
    "checks.training.wrong_lr": "{case}: parameters {part} (`{name}`) with lr={lr:g}, expected {want:g} ({rule}).",
    # Exercise 3 (checks/training.py): the loss
    "checks.training.compute_loss_call": "compute_loss (scores with {classes} classes)",
    "checks.training.loss_not_scalar": "compute_loss must return a scalar tensor (the mean loss over the pixels).",
    "checks.training.nll_loss": (
        "make_criterion returned nn.NLLLoss: together with log_softmax it is equivalent to nn.CrossEntropyLoss, "
        "which does both at once ({value}). The course asks for nn.CrossEntropyLoss(ignore_index=255) in "
        "make_criterion and the raw scores in compute_loss: the rest of the course (e.g. the weighted loss, "
        "CrossEntropyLoss(weight=...)) relies on that."
    ),
    "checks.training.nll_value_right": "your loss's value is right",
    "checks.training.nll_value_wrong": "and your loss's value does not match its value",
    "checks.training.not_cross_entropy": "the criterion must be nn.CrossEntropyLoss (got {kind}).",
    "checks.training.reduction": (
        "the criterion uses reduction={reduction!r}: the loss must be the mean over the pixels (reduction='mean', "
        "the default), otherwise it grows with the size of the image and of the batch."
    ),
    "checks.training.ignore_index": (
        "the criterion must ignore the void pixels: nn.CrossEntropyLoss(ignore_index=255). "
        "Void is the uncertain border of objects, not background."
    ),
    "checks.training.weighted_criterion": (
        "the criterion has class weights (weight=...) or label_smoothing: this exercise asks for plain "
        "cross-entropy, nn.CrossEntropyLoss(ignore_index=255) (the weighted loss is an option of notebook 05)."
    ),
    "checks.training.wrong_loss": "with {classes} classes: loss value {value:.5f}, expected {reference:.5f}. Hint: {hint}",
    "checks.training.hint_class_count": " With 3 classes it was right: do not fix the number of classes, use outputs.shape[1].",
    "checks.training.loss_no_gradient": (
        "the loss does not carry a gradient back to the network's outputs (do not use .detach()/.item())."
    ),
    "checks.training.loss_hint_scrambled": (
        "it looks like you flattened [B, C, H, W] straight away with view/reshape(-1, C): that mixes channels and "
        "pixels. The class axis must be the last one before the reshape (see torch.permute)."
    ),
    "checks.training.loss_hint_transposed": (
        "it looks like you used transpose(1, 3): it also swaps H and W (giving [B, W, H, C]) and the pixels no "
        "longer match the labels; use permute(0, 2, 3, 1)."
    ),
    "checks.training.loss_hint_sum": (
        "this looks like the sum of the loss over the pixels, not the mean: use reduction='mean' (the "
        "default) and do not multiply by the number of pixels."
    ),
    "checks.training.loss_hint_softmax": (
        "it looks like you applied softmax before the loss: nn.CrossEntropyLoss already applies log_softmax, so "
        "pass the network's raw scores (logits)."
    ),
    "checks.training.loss_hint_flatten": (
        "flatten the outputs to [B·H·W, C] (permute + reshape) and the labels to [B·H·W]."
    ),
    # Exercise 3 (checks/training.py): the tiny training round
    "checks.training.forward": "forward on the training batch [4, 3, 64, 64]",
    "checks.training.not_finite": "non-finite values (loss/mIoU): {figures}. Check the loss and the lr.",
    "checks.training.loss_did_not_fall": "the loss did not fall in 8 steps on the same batch ({first:.3f} → {last:.3f}): {hint}",
    "checks.training.eval_loss_did_not_fall": (
        "in evaluation mode, the loss on the batch did not fall after 8 training steps ({first:.3f} → {last:.3f}): {hint}"
    ),
    "checks.training.metrics_out_of_range": "metrics outside [0, 1]: {miou}, {accuracy}.",
    "checks.training.no_learning_foreign_parameters": (
        "the optimiser holds none of the parameters of the network it was given: in make_optimizer use "
        "net.parameters() (or the parts of net), not those of another model."
    ),
    "checks.training.no_learning_zero_lr": "the optimiser has lr = 0 in every group: use args['lr'].",
    "checks.training.no_learning_frozen": (
        "{count} of {total} parameter tensors are frozen (requires_grad=False), starting with `{name}`: "
        "when training from scratch the whole network has to learn."
    ),
    "checks.training.no_learning_unchanged": (
        "the weights did not change in 8 steps: check that the gradient reaches the network "
        "(compute_loss without .detach()/.item()) and the optimiser."
    ),
    "checks.training.no_learning_unknown": (
        "the weights changed, but the loss did not fall; the check cannot tell why: look at "
        "compute_loss and make_optimizer (lr, betas)."
    ),
    # Exercise 4 (checks/upsampling.py)
    "checks.upsampling.case": "factor {factor}",
    "checks.upsampling.forward": "{case}: applying the layer to an input [1, {channels}, 7, 9]",
    "checks.upsampling.not_conv_transpose": (
        "{case}: return an nn.ConvTranspose2d (got {kind}); it is the one that can learn, unlike F.interpolate."
    ),
    "checks.upsampling.channels": (
        "{case}: make_upsampler({channels}, {factor}, ...) built a ConvTranspose2d from {in_channels} → "
        "{out_channels} channels; use the channels argument on both sides, nn.ConvTranspose2d(channels, channels, "
        "...), without fixing a number (such as 256)."
    ),
    "checks.upsampling.bias": (
        "{case}: create the layer with bias=False; a bias would add a constant to the feature maps and the "
        "layer would no longer be an interpolation."
    ),
    "checks.upsampling.size": "{case}: a 7x9 input should become {height}x{width}, it became {got_height}x{got_width}.{hint}",
    "checks.upsampling.hint_odd": " For an odd factor, kernel_size = 2*factor gives one pixel too many: use 2*factor - factor % 2.",
    "checks.upsampling.hint_even": " Check kernel_size=2*factor, stride=factor and padding=factor // 2.",
    "checks.upsampling.no_overlap": (
        "{case}: with kernel_size equal to the factor, the stamps of neighbouring pixels never touch: each pixel "
        "becomes a block, and the output is a blocky copy, not an interpolation. The bilinear tent has to reach "
        "the neighbours, so the kernel must be larger than the factor; work out the size again with that larger kernel."
    ),
    "checks.upsampling.not_bilinear": (
        "{case}: away from the borders the output should equal F.interpolate(..., mode='bilinear', "
        "align_corners=False). Copy bilinear_kernel(channels, channels, kernel_size) into layer.weight (inside "
        "torch.no_grad()) and use padding=factor // 2."
    ),
    "checks.upsampling.mixes_channels": (
        "{case}: the output mixes the channels, but in an interpolation each channel feeds only itself: copy "
        "bilinear_kernel(channels, channels, kernel_size), which zeroes the pairs of different channels (do not put "
        "the bilinear filter in every pair)."
    ),
    "checks.upsampling.learns": "True (the layer learns)",
    "checks.upsampling.fixed": "False (the layer stays fixed)",
    "checks.upsampling.requires_grad": (
        "{case}, learnable={learnable}: layer.weight.requires_grad should be "
        "{want}; use layer.weight.requires_grad_(learnable)."
    ),
    # Exercise 5 (checks/losses.py): class weights
    "checks.losses.hint_length": " Do not fix 3 classes: one weight for each count in pixel_counts (len(pixel_counts)).",
    "checks.losses.weights_form": (
        "return a float tensor with one weight per class (shape [{length}]); got {kind} {shape}.{hint}"
    ),
    "checks.losses.weights_dtype": (
        "the weights came as {dtype}; return float32 (`weights.float()`): notebook 05 passes them to "
        "nn.CrossEntropyLoss(weight=...), which with float32 scores fails with \"expected scalar type Float but "
        "found Double\"."
    ),
    "checks.losses.absent_class_weight": (
        "a class without any pixel must get weight 0 (and no inf or nan): "
        "got {weights}. Take the median of the frequencies > 0 only."
    ),
    "checks.losses.inverse_order": (
        "{call}: the most frequent class got a weight greater than or equal to the rarest one's: {weights}. The "
        "weight must be inversely proportional to the frequency (median / freq)."
    ),
    "checks.losses.wrong_weights": "for {call} expected the weights {expected}; got {weights}. {hint}",
    "checks.losses.hint_median_of_present": (
        "The median must be taken over the present classes only (frequency "
        "> 0): a class without pixels does not enter the median."
    ),
    "checks.losses.hint_mean_not_median": "This looks like the mean of the frequencies: use the median (torch.median or np.median).",
    "checks.losses.hint_divide_by_median": (
        "The weights have the right proportions, but they are not divided by the median of the "
        "frequencies: the class with the median frequency must get weight 1."
    ),
    "checks.losses.hint_weights_formula": (
        "Compute freq = counts / total and weight = median(freq) / freq, with the median over the present classes only."
    ),
    # Exercise 5 (checks/losses.py): Dice loss
    "checks.losses.dice_not_scalar": (
        "return a single number (a scalar tensor): the mean Dice over the classes, not {shape}."
    ),
    "checks.losses.dice_no_gradient": (
        "the loss has no gradient: use probabilities (softmax over the channels), never "
        "argmax, and do not call .item() or .detach()."
    ),
    "checks.losses.dice_null_gradient": "the gradient of the loss with respect to the scores is zero or not finite.",
    "checks.losses.dice_void": (
        "the void pixels (255) influenced the loss: zero the probabilities and targets at those "
        "pixels (and replace 255 with a valid class before the one-hot)."
    ),
    "checks.losses.dice_softmax_axis": (
        "the loss changes when the same constant is added to every class of a pixel, which does not happen with "
        "softmax over the channels: apply softmax along the class axis, outputs.softmax(dim=1) (not along another "
        "axis, nor sigmoid, nor the raw scores)."
    ),
    "checks.losses.dice_case": "{classes} classes",
    "checks.losses.perfect": "a perfect prediction",
    "checks.losses.all_wrong": "an all-wrong prediction",
    "checks.losses.small_swapped": "small classes swapped",
    "checks.losses.hint_class_count": " With 3 classes it worked: do not fix the number of classes, use outputs.shape[1].",
    "checks.losses.dice_range": (
        "the Dice loss lies between 0 and 1, got {value:.4f}: Dice = 2·intersection / (sum "
        "of p + sum of g), per class; the loss is 1 - the mean."
    ),
    "checks.losses.dice_sum_of_classes": (
        "the loss came out negative ({value:.4f}): take the mean of the Dice over the classes (.mean()), not the sum."
    ),
    "checks.losses.dice_perfect": (
        "with a perfect prediction the loss should be ≈ 0, got {value:.4f}: Dice = "
        "2·intersection / (sum of p + sum of g), per class; the loss is 1 - the mean."
    ),
    "checks.losses.dice_worst": "with an all-wrong prediction the loss should be ≈ 1, got {value:.4f}.",
    "checks.losses.dice_lumped": (
        "with one large class right and two small ones swapped the loss should be ≈ 0.67 (Dice 1, 0 and 0: mean "
        "1/3), got {value:.3f}: compute one Dice per class, summing over the batch and the pixels (dim=(0, 2, 3)), "
        "and take the mean over the classes; summing every class together, the large class dominates."
    ),
    "checks.losses.dice_per_class": (
        "with one large class right and two small ones swapped the loss should be ≈ 0.67 (Dice 1, 0 and 0: mean "
        "1/3), got {value:.3f}: Dice per class = 2·Σ(p·g) / (Σp + Σg) summing over the batch and the pixels; the "
        "loss is 1 - the mean over the classes."
    ),
    # Exercise 6 (checks/scores.py)
    "checks.scores.build": "building {name}(3)",
    "checks.scores.the_model": "the model",
    "checks.scores.pretrained_ignored": (
        "with pretrained=False the model loaded the ImageNet weights: pass the argument on, `load_vgg16(pretrained)`."
    ),
    "checks.scores.not_conv": "create self.{name} as an nn.Conv2d (got {kind}).",
    "checks.scores.wrong_layer": (
        "self.{name} should be Conv2d({channels}, num_classes, kernel_size=1): each level predicts class scores, "
        "which are then added up; got Conv2d({in_channels}, {out_channels}, kernel_size={kernel_size})."
    ),
    "checks.scores.forward": "forward on a {height}x{width} image",
    "checks.scores.wrong_shape": (
        "the output should have shape [1, {classes}, {height}, {width}] (scores per pixel, "
        "with the input's size); got {shape}."
    ),
    "checks.scores.unused": (
        "self.{name} does not change the output: add its scores (after upsampling the deeper scores "
        "to the size of its feature map) in forward."
    ),
    "checks.scores.not_linear": (
        "the output does not vary linearly with self.{name}: the levels' scores must be added up and upsampled "
        "only afterwards (no ReLU, no concatenation with non-linear layers, no other convolution after the sum)."
    ),
    "checks.scores.not_added": (
        "the contribution of self.{name} changes with the classifier's scores: the levels' scores must be "
        "added (+), not multiplied or combined in another way."
    ),
    "checks.scores.scaled_note": (
        "the scores of self.{name} enter the sum multiplied by about {scale}, as in the FCN authors' reference "
        "implementation (pool4 × 0.01, pool3 × 0.0001): accepted; the scale only changes where training starts."
    ),
    # --- exercise titles (the number is added by checks.exercise_title) ----------------------------------------
    "exercise.iou": "IoU and Dice from the confusion matrix",
    "exercise.alexnet-noskip": "FCN-AlexNet without skip",
    "exercise.alexnet-skip": "FCN-AlexNet with skip",
    "exercise.optimizer": "optimiser: four pretrained × skip cases",
    "exercise.loss": "loss function: cross-entropy over the flattened pixels",
    "exercise.training": "training and validation with your pieces",
    "exercise.upsampler": "learnt upsampling: a transposed convolution initialised as bilinear",
    "exercise.class-weights": "class weights: median frequency balancing",
    "exercise.dice-loss": "Dice loss",
    "exercise.vgg16-noskip": "FCN-VGG16 without skip",
    "exercise.vgg16-skip": "FCN-VGG16 with skip",
    "exercise.vgg16-scoresum": "the paper's FCN-8s: the sum of the scores of pool3, pool4 and pool5",
    "exercise.fcn_extra_backbone": "FCN-{backbone} {skip}",
    "exercise.with_skip": "with skip",
    "exercise.without_skip": "without skip",
    # --- instructor wing: build, grade, release, site, nbgrader (instructor/) --------------------------------
    # Grading. The statuses themselves are machine values (grade.OK...); these are their labels for people.
    "grade.status_ok": "graded",
    "grade.status_invalid": "invalid file",
    "grade.status_timed_out": "timed out",
    "grade.status_crashed": "grading error",
    "grade.timed_out_cpu": (
        "the checks went over the limit of {seconds:g} s of CPU time and were "
        "stopped ({attempts} attempt(s)). Look for a loop that never ends or a training run "
        "inside a definition; if the notebook runs fast on your computer, tell the instructor "
        "(the limit may be too small for the grading machine)."
    ),
    "grade.timed_out_busy": (
        "the grading machine was overloaded: in {wall:.0f} s of wall-clock time the checks "
        "only got {cpu:.0f} s of CPU ({attempts} attempt(s)). This does not point to a problem "
        "in your notebook: the instructor will grade it again."
    ),
    "grade.timed_out_waiting": (
        "the checks spent {wall:.0f} s waiting without computing (only {cpu:.0f} s of CPU, "
        "{attempts} attempt(s)): some definition waits for something (input(), time.sleep, "
        "a download?). Keep only imports, functions, classes and constants in the definitions."
    ),
    "grade.child_crashed": "the grading process ended with code {code}: {tail}",
    "grade.report_title": "Grading report: {name}",
    "grade.invalid_heading": "Invalid file",
    "grade.invalid_reason": "The notebook could not be read: {error}",
    "grade.invalid_advice": (
        "The file is incomplete or corrupt (an interrupted download?): save the "
        "notebook again in Jupyter or Colab and hand it in again."
    ),
    "grade.score_one": "{passed} of {total} exercise correct.",
    "grade.score_many": "{passed} of {total} exercises correct.",
    "grade.challenges_heading": "Challenges (extras: they do not count towards the grade)",
    "grade.challenges_score": "{passed} of {total} challenges solved. An unsolved challenge costs no points.",
    "grade.no_code_exercises": "This notebook has no automatically checked code exercises.",
    "grade.reflections_score": "Reflection questions: {answered} of {total} answered.",
    "grade.reflection_answered": "{label}: {question}",
    "grade.reflection_unanswered": "not answered: {label}: {question}",
    "grade.question_label": "Question {number}",  # the notebook's own label: **2.**, **Reflection question A**
    "grade.question_label_pattern": r"(?:reflection\s+)?question\s+(\w{{1,3}})\b",  # how notebooks label them
    "grade.prediction_label_pattern": r"prediction(?:\s+(\d+))?",
    "grade.predictions_label": "Predictions {numbers}",
    "grade.and_join": "{first} and {last}",
    "grade.timed_out_heading": "Timed out",
    "grade.checks_unfinished_heading": "The checks could not finish",
    "grade.cell_errors_heading": "Cells with errors",
    "grade.cell_errors_intro": "These definitions could not run and were left out of the grading:",
    "grade.skipped_script": "skipped (a .py that is not a jupytext notebook): {path}",
    "grade.progress": "{status:>16}  {passed}/{total} exercises, {answered}/{questions} answers  {submission}",
    # Grading hostile or broken submissions (limits, sandbox, integrity: instructor/grade*.py, sandbox.py).
    "grade.status_tampered": "for manual review",
    "grade.status_not_a_file": "not a regular file",
    "grade.not_a_file_heading": "Not graded: not a regular file",
    "grade.not_a_file_link": "is a symbolic link; grading does not follow links",
    "grade.not_a_file_folder": "is a folder with a notebook's name",
    "grade.not_a_file_other": "is not a regular file (a device, a pipe...)",
    "grade.not_a_file_advice": "Hand in the notebook's own .ipynb file.",
    "grade.too_big": "the file is {size:.0f} MB; the grading limit is {limit:.0f} MB",
    "grade.invalid_no_cells": "the notebook has no list of cells (\"cells\")",
    "grade.invalid_cell": "cell {number} has no \"source\" or \"cell_type\" field",
    "grade.unreadable_result": "the grading process left an unreadable result ({error})",
    "grade.forged_result_detail": (
        "the result did not come from the grader: the result file was written by the graded code"
    ),
    "grade.blocked_import": (
        "{module} is not available during grading: the reference solutions and the "
        "instructor's material are left out; use your own code"
    ),
    "grade.blocked_path": "{path}: outside your copy of the notebook, not reachable during grading",
    "grade.review_heading": "For manual review",
    "grade.review_intro": "The instructor will review this grading by hand, because:",
    "grade.review_instructor_code": (
        "the code imports or reads the reference solutions (solutions) or the "
        "instructor's material, which grading blocks"
    ),
    "grade.review_private_files": (
        "the code tried to read or change files outside its own copy (the class "
        "folder, the reports, the instructor's folder)"
    ),
    "grade.review_interpreter_tools": (
        "the code uses tools that can change the grading itself (interpreter frames, modules changed at run time)"
    ),
    "grade.review_checks_replaced": (
        "the checks or the libraries they use were changed by the code "
        "while it was being graded; the result below cannot be trusted"
    ),
    "grade.review_forged_result": "the grading result did not come from the grader",
    "grade.review_file_changed": "the handed-in file changed while it was being graded; it must be graded again",
    "grade.report_not_written": "                  report not written: {error}",
    # The course website.
    "site.objectives_heading": "By the end of this notebook you can",
    "site.course_title": "Semantic segmentation with Fully Convolutional Networks",
    "site.instructor_title_suffix": " (instructor's edition)",
    "site.instructor_warning": (
        "This is the instructor's edition: the pages show the solutions and the "
        "[rubric]({rubric}.md). Publish only the site without solutions to the students "
        "(`python -m fcn_course.instructor site`)."
    ),
    "site.outline_heading": "The course, notebook by notebook",
    "site.objectives_label": "By the end you can",
    "site.rubric_title": "Rubric (instructor's edition)",
    "site.rubric_intro": (
        "Each exercise is graded by the automatic check of `fcn_course.checks` "
        "(`python -m fcn_course.instructor grade NOTEBOOK`). The comparison of notebook 05 is "
        "answered in prose and graded by hand."
    ),
    "site.rubric_header": "| exercise | notebook | what is checked | names the notebook defines | required |",
    "site.required_yes": "yes",
    "site.required_no": "no",
    "site.reference_line": (
        "To look up during the course: the [quick reference]({page}) gathers shapes, "
        "formulas and a Portuguese ↔ English glossary."
    ),
    "site.short_title": "FCN: semantic segmentation",
    "site.instructor_announcement": (
        "Instructor's edition: it holds the solutions and the rubric. Do not publish this site to the students."
    ),
    "site.intro": (
        "A hands-on course, in notebooks, on **semantic segmentation with Fully Convolutional Networks (FCNs)** in\n"
        "PyTorch on **Pascal VOC 2012**. You turn AlexNet and VGG16 into FCNs, with and without *skip\n"
        "connections*, pretrained on ImageNet or trained from scratch, and measure the difference with correct\n"
        "metrics (IoU/Jaccard, mIoU, F1/Dice).\n"
        "\n"
        "The course assumes you can already train a classification CNN in PyTorch. Each notebook has exercises\n"
        "followed by an automatic check that says, in plain words, what is right and what is missing. The pages\n"
        "of this site show the executed notebooks, with their figures; the code of the exercises is yours to\n"
        "write: open the notebook in Colab (button at the top of each page) or on your computer."
    ),
    "site.language_switch": "This page in:",
    "site.language_name": "English",
    "grade.no_such_path": "{path}: no such file or folder; check the path of the submissions.",
    "grade.lock_not_created": "{lock} cannot be created ({error}): choose a --report-dir you can write to.",
    "grade.folder_busy": (
        "another grading is writing into {folder} (process {holder}); wait for it to end or choose another "
        "--report-dir."
    ),
    "grade.earlier_grading": (
        "{folder} already holds the grades of an earlier grading ({csv}); pass --replace to replace them, or choose "
        "another --report-dir."
    ),
    "grade.foreign_files": (
        "{folder} holds files this grading would overwrite and that no earlier grading wrote: {files}; move them "
        "away or choose another --report-dir."
    ),
    "grade.csv_not_written": "{csv} could not be written: {error}; the reports listed above are in {folder}.",
    "grade.not_a_json_object": "the result is not a JSON object",
    "site.no_finished_run": (
        "no finished course run in {runs}: run the main job first (bash scripts/run_course.sh) or name a run folder "
        "with --from."
    ),
    "site.missing_executed": (
        "{run_dir} lacks the executed notebook(s) {missing}: did the main job finish there? Run it again (bash "
        "scripts/run_course.sh) or name another run folder with --from."
    ),
    "site.foreign_output": (
        "{out} exists and was not made by the site builder; choose another --out or remove it yourself."
    ),
    "site.solution_leak": (
        "the student site would show solution code:\n  {lines}\nNothing was written. Rebuild the student notebooks "
        "(python -m fcn_course.instructor build) and run the main job again."
    ),
    "site.no_sphinx": 'Sphinx is not installed: pip install -e ".[dev,instructor]"',
    "site.sphinx_failed": "Sphinx failed (exit {code}):\n{stderr}",
    "site.sphinx_warnings": "   Sphinx warnings ({count}):\n   {warnings}",
    "site.kind_student": "student site",
    "site.kind_instructor": "instructor site (WITH SOLUTIONS)",
    "site.built": ">> {kind} ({languages}) built in {seconds:.0f}s: open {index}",
    "lms.roster_needs_id": (
        "{path}: a roster needs an 'id' column (and may have name, email, match); found {found}. Add the id column "
        "to the first line."
    ),
    "lms.nothing": "nothing",
    "lms.grades_not_found": (
        "{path} not found: run `python -m fcn_course.instructor grade ... --report-dir {report_dir}` first."
    ),
    "lms.unknown_weights": (
        "unknown exercise(s) {unknown} in the weights; the exercises are: {exercises}. Fix the keys of the weights "
        "file."
    ),
    "lms.no_grade_column": "no grade column among {header}: name it with --grade-column.",
    "lms.notebooks_without_exercises": "notebook(s) {unknown} have no exercises; those with exercises: {notebooks}.",
    "release.no_edition": (
        "the course has no {edition} edition ({folder} is missing): run `python -m fcn_course.instructor "
        "translations --lang {edition}`, translate the catalogues, then run the build."
    ),
    "release.edition_notebook_missing": "{path} is missing: run the build",
    "release.edition_page_missing": (
        "{path} is missing: the {edition} release needs the translation of {original} there; write it (or build the "
        "translations) and release again"
    ),
    "release.edition_incomplete": "the {edition} edition is incomplete:\n  {problems}",
    "release.top_file_missing": (
        "{path} is missing; the release needs it. Restore it in the course repository (git checkout -- {name})."
    ),
    "release.gives_away_solutions": (
        "the release would give away solutions ({count} line(s)):\n  {lines}\nRemove them from those files. A "
        "generic line that is not really a solution can be listed in {allowlist}."
    ),
    "release.choose_another_out": "Choose another --out: a new or empty folder, or the folder of a previous release.",
    "release.out_holds_repository": (
        "--out {out} is or contains the repository {repo}: the release would replace files of the repository. "
        "Nothing was changed. {fix}"
    ),
    "release.out_inside_copied": (
        "--out {out} lies inside {copied}, which the release copies from the repository {repo}. Nothing was changed. "
        "{fix}"
    ),
    "release.out_holds_link": (
        "--out {out} holds {entry}, a symbolic link: the release never writes through links. Nothing was changed. {fix}"
    ),
    "release.out_holds_foreign": (
        "--out {out} holds files the release did not make ({shown}); it only replaces its own previous release (a "
        "{name}/ folder with {marker}). Nothing was changed. Choose another --out: a new or empty folder."
    ),
    "release.no_solution_notebooks": "no solution notebooks in {folder}: the release is made from them.",
    "release.out_of_date": "the notebooks are out of date; run the build first:\n  {problems}",
    "release.written": "Release written to {path}",
    "publish.no_git": "git could not be run ({error}): install git and publish again.",
    "publish.git_failed": "`git {command}` failed in {folder}:\n{stderr}",
    "publish.out_in_repository": (
        "{out} is, contains or lies inside the course repository {repo}: the student repository goes into a folder "
        "of its own. Nothing was changed."
    ),
    "publish.out_foreign": (
        "{out} holds files that `publish` did not write (no .git with {marker}); choose a new or empty folder. "
        "Nothing was changed."
    ),
    "publish.uncommitted": (
        "{out} has uncommitted changes; the next publication would replace them. The student repository is "
        "generated: make the change in the course repository, then publish (or commit or discard the changes there "
        "first). Nothing was changed."
    ),
    "publish.colab_elsewhere": (
        'the notebooks open and install from github.com/{configured} on Colab, not {repository}: set REPOSITORY = '
        '"{repository}" in fcn_course/colab.py, run `python -m fcn_course.instructor build`, commit, and publish '
        'again. Nothing was changed.'
    ),
    "publish.unchanged": "{out}: the student release has not changed since the last publication; nothing committed.",
    "publish.committed": (
        "Student repository committed in {out}. To publish it (the first time, create the public repository "
        "github.com/{target} first):\n  cd {out}\n{remote}  git push -u origin {branch}"
    ),
    "instructor.no_repository": (
        'error: the course repository (a folder with {solutions}/) was not found in {package_root} nor in {cwd}. Run '
        'the instructor commands from a clone of the course repository, installed with: pip install -e '
        '".[dev,instructor]"'
    ),
    "mathjax.not_installed": (
        'MathJax for offline pages comes from the \'jupyter-server-mathjax\' package, which is not installed. '
        'Install the instructor tools: pip install -e ".[dev,instructor]"'
    ),
    "mathjax.file_missing": (
        "{path} is missing: reinstall jupyter-server-mathjax (pip install --force-reinstall jupyter-server-mathjax)."
    ),
    "sandbox.unknown_mode": "sandbox must be one of {choices}, not {mode!r}.",
    "sandbox.no_bwrap": (
        "--sandbox bwrap: bubblewrap (bwrap) is not installed or cannot create its namespaces here; install it "
        "(Debian/Ubuntu: apt-get install bubblewrap) or use --sandbox none"
    ),
    "grade.zygote_not_started": "the grading zygote did not start",
    "grade.zygote_ended": "the grading zygote ended",
    "grade.zygote_failed": "the grading zygote failed: {error}",
    "grade.zygote_fallback": "grading: {error}; this submission runs in a new process",
    "markers.begin_not_alone": (
        "line {number}: '{begin}' must be alone on its line, optionally followed by ': <hint>'; got {line!r}"
    ),
    "markers.nested": (
        "line {number}: '{begin}' inside the region opened at line {opened} (regions cannot be nested; add '{end}' "
        "before it)"
    ),
    "markers.end_not_alone": "line {number}: '{end}' must be alone on its line; got {line!r}",
    "markers.end_without_begin": "line {number}: '{end}' without a '{begin}' before it",
    "markers.where_alone": "alone on its line",
    "markers.where_inside": "inside a '{begin}' region",
    "markers.hint_misplaced": "line {number}: a hint line ('{hint}' or '{skeleton}') must be {where}; got {line!r}",
    "markers.empty_hint": "line {number}: '{hint}' without a hint after it",
    "markers.never_closed": "line {number}: '{begin}' is never closed by '{end}'",
    "translation.unknown_folders": (
        "{folder} has folder(s) {unknown}, which are not languages of the message catalogue other than {default} "
        "({languages}): add the catalogue fcn_course/messages/<language>.py first, or remove the folder"
    ),
    "translation.unreadable": "cannot read the translation catalogue {path}: {error}",
    "translation.invalid": (
        "{path} is not a valid gettext catalogue: {error}. Fix it (or delete it and run `python -m "
        "fcn_course.instructor translations` to write it again)"
    ),
    "translation.source_language_notebooks": (
        "{default} is the language the notebooks are written in: nothing to translate; choose another language with "
        "--lang"
    ),
    "translation.source_language_pages": (
        "{default} is the language the pages are written in: nothing to translate; choose another language with --lang"
    ),
    "translation.catalogue_missing": (
        "{path} is missing: run `python -m fcn_course.instructor translations --lang {edition}` and translate its "
        "entries"
    ),
    "course.edition_missing": (
        "the {edition} solution notebooks {missing} are missing: run `python -m fcn_course.instructor translations "
        "--lang {edition}`, translate the catalogues of solutions/locale/{edition}/, then `python -m "
        "fcn_course.instructor build`"
    ),
    # what `check` (instructor/sync.py) lists as out of date, each line with its fix
    "sync.file_missing": "{path} is missing: run the build",
    "sync.pair_out_of_sync": "{ipynb} and {source} are out of sync (cell sources differ): run the build",
    "sync.student_differs": "{path} differs from what {source} generates: run the build",
    "sync.edition_differs": "{path} differs from what its solution and catalogue generate: run the build",
    "sync.page_differs": "{path} differs from what {page} and {catalogue} generate: run the build",
    "sync.orphan_student": (
        "{path} has no solution notebook in {solutions} and is not in the course outline: delete it, or write "
        "{solutions}/{name}.py and add '{name}' to COURSE_NOTEBOOKS in {outline}"
    ),
    "sync.stale_include": "{source}: {problem}: run the build",
    "sync.include_differs": "{label} differs from {file}",
    "course.outline_missing": (
        "{path} is missing, yet COURSE_NOTEBOOKS in {outline} names it: write it, or remove '{name}' from the outline"
    ),
    "course.outline_stray": (
        "{path} is not a course notebook: add '{name}' to COURSE_NOTEBOOKS in {outline} (in reading order) to "
        "build and publish it, or move it out of {folder}/"
    ),
    "course.outline_mismatch": "the solution notebooks do not match the course outline:\n  {problems}",
    "colab.origin_no_git": (
        '{setting} is {origin!r} but git could not be run ({error}); write the repository as "owner/name" there'
    ),
    "colab.origin_not_github": (
        '{setting} is {origin!r}, but `git remote get-url origin` in {repo_root} gives {found}, not a GitHub '
        'repository: Colab opens notebooks from GitHub only. Write the repository as "owner/name" there.'
    ),
    "colab.bad_repository": '{setting} is {setting_value!r}: write a GitHub repository as "owner/name" (or {origin!r})',
    "nbgrader.check_key_not_literal": (
        "a check cell calls {call}: the first argument must be the key of a registered exercise "
        "(fcn_course.checks.exercises())"
    ),
    "nbgrader.one_points_tag": "{cell}: write one tag {prefix}<whole number of points>; found {values}",
    "nbgrader.points_tag_misplaced": (
        "{cell}: a {prefix} tag belongs on a reflection answer or a self-check cell; nbgrader does not grade this one"
    ),
    "nbgrader.link": (
        "{link} is a symbolic link: the export never writes through links. Nothing was written there; replace the "
        "link by a folder, or export to another folder."
    ),
    "nbgrader.edited": (
        "{path} already exists and differs from the export (edited in nbgrader?); move it away or export to another "
        "folder"
    ),
    "nbgrader.not_built": (
        "the {edition} solution notebooks are not built ({missing}): complete the translations, then run the build "
        "(`python -m fcn_course.instructor check` lists what is missing)"
    ),
    "nbgrader.no_solution_notebooks": "no solution notebooks in {folder}: the export is made from them.",
    "course.smoke_failed": "{label} failed while running in smoke mode:\n{error}",
    "course.include_misplaced": "{cell}: an include tag goes on a code cell, and only one per cell",
    "course.include_missing": (
        "{label}: the included file {relative!r} does not exist; the include tag takes a path relative to the "
        "repository root, e.g. 'include:solutions/fcn_alexnet.py'"
    ),
    "course.hint_gives_answer": (
        "{label}: the hint {hint!r} gives the answer away (it holds the solution line {line!r}); say what to use or "
        "why, and leave the line to the student"
    ),
    "course.student_not_python": (
        "{label}: the student version is not valid Python ({error}, line {line}). Is '{begin}' indented like the "
        "code it replaces?\n--- student version ---\n{source}"
    ),
    # --- Challenges, "Desafios" in pt_BR (checks/challenges.py) --------------------------------------------------
    "exercise.miou-per-image": "mIoU per image versus mIoU over the dataset",
    "exercise.min-input-size": "the smallest input size a network accepts",
    "exercise.focal-loss": "focal loss that ignores void",
    "exercise.whole-image": "prediction on the whole image, whatever its size",
    "checks.challenges.case_images": "{images} images, {classes} classes",
    "checks.challenges.not_a_number": "with {case}, the function returned {kind}; return a number (float).",
    "checks.challenges.wrong_miou": (
        "with {case}, the mean of the per-image mIoUs should be {expected}, but it came out as {value}. {hint}"
    ),
    "checks.challenges.hint_dataset_miou": (
        "That is the dataset mIoU (one matrix for all the images): the challenge asks for one matrix per image, "
        "the mIoU of each image, and the mean of those mIoUs."
    ),
    "checks.challenges.hint_absent_as_zero": (
        "A class that does not appear in an image (neither in the label nor in the prediction) was counted as 0: "
        "leave it out of that image's mean (NaN and np.nanmean)."
    ),
    "checks.challenges.hint_void_counted": (
        "The void pixels (255) were counted as background: ignore them, as the ConfusionMatrix does."
    ),
    "checks.challenges.hint_miou_formula": (
        "Check the steps: for each image, a confusion matrix without the void pixels; IoU = TP/(TP+FP+FN) "
        "for each class, NaN for the absent ones; the image's mIoU is the mean without the NaNs; at the end, "
        "the mean over the images."
    ),
    "checks.challenges.case_probe": "a test network with padding and dilation",
    "checks.challenges.wrong_size": (
        "for {case}, the smallest side accepted is {expected}, but the function returned {value}. {hint}"
    ),
    "checks.challenges.hint_off_by_one": (
        "Off by one: check the rounding down (//) in each layer, and whether a 1×1 output is accepted."
    ),
    "checks.challenges.case_gamma": "γ = {gamma}",
    "checks.challenges.focal_not_scalar": "with {case}, the loss should be a tensor holding a single number (the mean).",
    "checks.challenges.wrong_focal": "with {case}, the focal loss should be {expected}, but it came out as {value}. {hint}",
    "checks.challenges.hint_focal_no_factor": (
        "With γ > 0 it gave the cross-entropy: the factor (1 − p_t)^γ is missing, the one that lowers the weight "
        "of the easy pixels."
    ),
    "checks.challenges.hint_focal_formula": (
        "Check: p_t is the probability (softmax) of each pixel's right class; the pixel's loss is "
        "−(1 − p_t)^γ · log p_t; the mean is taken only over the pixels that are not void."
    ),
    "checks.challenges.focal_no_gradient": (
        "with {case}, the loss has no gradient: do not use .item(), .detach() or NumPy in the middle of the computation."
    ),
    "exercise.multiply-adds": "how much arithmetic a network's convolutions do",
    "checks.challenges.case_macs": "{network} with a {side}×{side} input",
    "checks.challenges.wrong_macs": (
        "for {case}, the convolutions do {expected} multiply-adds, but the function returned {value}. {hint}"
    ),
    "checks.challenges.hint_macs_parameters": (
        "That is the number of weights of the convolutions: each weight is used once at every output position, "
        "so multiply by the number of positions (the output side squared) of each layer."
    ),
    "checks.challenges.hint_macs_formula": (
        "Check: follow the side of the feature map layer by layer (the pooling layers shrink it too) and, for "
        "each Conv2d, add output_side² × out_channels × (in_channels / groups) × kernel area; return an int."
    ),
    "checks.challenges.probe_refuses": "this network only accepts sides that are multiples of 32, and it got {size}",
    "checks.challenges.case_image": "an image of {height}×{width}",
    "checks.challenges.wrong_whole_shape": (
        "with {case}, the scores should have the shape {expected} (the size of the image), but they have {shape}: "
        "after predicting on the padded, enlarged image, crop back to the original size."
    ),
    "checks.challenges.wrong_whole_values": (
        "with {case}, the shape is right but the scores do not match those of the original image: crop "
        "exactly the region where the image was placed (padding on the right and at the bottom: [..., :H, :W]); "
        "resizing the image changes its pixels and will not do."
    ),
    # --- concept checks (quiz.py): quiz.<key>.question / .right / .option.<l> / .why.<l> -------------------------
    "quiz.heading": "🧠 Quick check: {question}",
    "quiz.option_line": "   {letter}) {option}",
    "quiz.how_to_answer": (
        "No widgets here: answer in text, in a cell, with quiz.ask(\"{key}\", answer=\"{letter}\") "
        "(put your choice in place of the letter)."
    ),
    "quiz.check_button": "Check",
    "quiz.choose_first": "Choose an option before checking.",
    "quiz.right_answer": "✅ That's right: ({letter}). {why}",
    "quiz.wrong_answer": "❌ ({letter}) is not the answer. {why} Think again and try another option.",
    "quiz.not_an_option": "'{answer}' is not one of the options: answer with one of these letters: {letters}.",
    "quiz.unknown": "There is no quick check with the key '{key}'. The keys that exist: {keys}.",
    "quiz.two_answers": "quiz.ask() takes one answer: give resposta= or answer=, not both.",
    # 01: void in the IoU
    "quiz.void-iou.question": (
        "In a Pascal VOC label, a pixel is 255 (void) and the network predicts it as bus. "
        "How does that pixel count in the bus IoU?"
    ),
    "quiz.void-iou.right": "c",
    "quiz.void-iou.option.a": "As a false positive for bus: the label does not say bus there.",
    "quiz.void-iou.option.b": "As a false negative for background: the edge of an object is background.",
    "quiz.void-iou.option.c": "It does not count: the pixel stays out of the confusion matrix.",
    "quiz.void-iou.option.d": "As half a hit: the edge is half bus, half background.",
    "quiz.void-iou.why.a": (
        "That treats 255 as if it were a class the network got wrong. Void means \"we do not know the "
        "answer\" (edges, ambiguous regions): the network cannot be wrong there."
    ),
    "quiz.void-iou.why.b": (
        "That was the original course's mistake: void became background. The network is then marked down unless "
        "it calls precisely the edges of objects background (and, in training, it is taught to do so)."
    ),
    "quiz.void-iou.why.c": (
        "Void is \"unknown answer\": the pixel is ignored in the metric (the ConfusionMatrix's "
        "ignore_index=255) and in the loss (CrossEntropyLoss(ignore_index=255)). It counts neither for nor against."
    ),
    "quiz.void-iou.why.d": (
        "The IoU counts whole pixels, without fractions, and 255 does not say which classes the edge is made "
        "of: it says that we do not know. The pixel is simply left out."
    ),
    # 01: dataset-level vs per-image IoU
    "quiz.dataset-miou.question": (
        "On a validation set of 100 images, you average the person IoUs computed image by image; "
        "a colleague computes the person IoU with a single confusion matrix summed over the 100 images. The "
        "numbers differ. Which statement is right?"
    ),
    "quiz.dataset-miou.right": "b",
    "quiz.dataset-miou.option.a": "The per-image mean is always more optimistic: it hides the large errors.",
    "quiz.dataset-miou.option.b": "One gives the same weight to each image, the other to each pixel: they are different measures.",
    "quiz.dataset-miou.option.c": "They should give the same number; the difference comes from rounding.",
    "quiz.dataset-miou.option.d": "The per-image mean is the right one: in the single matrix, large images dominate.",
    "quiz.dataset-miou.why.a": (
        "It depends on the data: in the notebook's example B, missing a tiny person sets that image's IoU to "
        "zero, and the per-image mean ends up well below the dataset IoU (0.50 against 0.96)."
    ),
    "quiz.dataset-miou.why.b": (
        "In the per-image mean, an object of 2 pixels weighs as much as one of 2000; in the single matrix, every "
        "pixel weighs the same. They are different numbers that cannot be compared: the course and the papers "
        "use the single matrix over the dataset."
    ),
    "quiz.dataset-miou.why.c": (
        "The mean of ratios is not the ratio of the sums: (1/2 + 1/1)/2 = 0.75, but (1+1)/(2+1) = 0.67. The "
        "difference lies in the definition, not in rounding."
    ),
    "quiz.dataset-miou.why.d": (
        "Neither is \"the right one\" in general, but they answer different questions, and the one compared "
        "with papers (and with the course's training) is the single matrix. The per-image mean is another measure."
    ),
    # 01: recall is not IoU
    "quiz.recall-not-iou.question": (
        "A \"network\" paints the whole image as bus. In an image where the bus covers 10% of the pixels, "
        "what are TP/(TP+FN) and the bus IoU?"
    ),
    "quiz.recall-not-iou.right": "d",
    "quiz.recall-not-iou.option.a": "Both are 1.0: every bus pixel was found.",
    "quiz.recall-not-iou.option.b": "Both are 0.1: only 10% of the prediction is right.",
    "quiz.recall-not-iou.option.c": "TP/(TP+FN) is 0.1 and the IoU is 1.0.",
    "quiz.recall-not-iou.option.d": "TP/(TP+FN) is 1.0 and the IoU is 0.1.",
    "quiz.recall-not-iou.why.a": (
        "TP/(TP+FN) (the recall) is indeed 1.0, because it ignores the false positives. The IoU does not: the "
        "90% painted as bus by mistake go into the denominator."
    ),
    "quiz.recall-not-iou.why.b": (
        "0.1 is the right fraction of the prediction (the precision) and also the IoU; but TP/(TP+FN) only asks "
        "how many bus pixels were found: all of them."
    ),
    "quiz.recall-not-iou.why.c": (
        "The roles are swapped: it is the recall that ignores the false positives (and stays at 1.0), and the "
        "IoU that punishes them."
    ),
    "quiz.recall-not-iou.why.d": (
        "Every bus pixel was found (FN = 0, recall 1.0), but the IoU divides TP by the union TP+FP+FN, which is "
        "the whole image: 0.1. That is why the original course, which divided by the label, gave this "
        "\"network\" full marks."
    ),
    # 02: what the stride of the coarse output means
    "quiz.stride-32.question": (
        "With a 224×224 input, AlexNet's pool5 comes out with 6×6 positions and stride 32. What does that "
        "stride of 32 mean?"
    ),
    "quiz.stride-32.right": "b",
    "quiz.stride-32.option.a": "Each position of the feature map depends on a 32×32 block of image pixels.",
    "quiz.stride-32.option.b": "Two neighbouring positions of the feature map are 32 pixels apart in the image.",
    "quiz.stride-32.option.c": "The feature map has 32 times fewer positions than the image has pixels.",
    "quiz.stride-32.option.d": "It should be 37, because 224/6 ≈ 37; the 32 is an approximation.",
    "quiz.stride-32.why.a": (
        "That confuses stride with receptive field. Each position of pool5 depends on a window of 195×195 "
        "pixels, almost the whole image; the 32 is the step between neighbouring positions."
    ),
    "quiz.stride-32.why.b": (
        "The accumulated stride is the product of the layers' strides (4·2·2·2 = 32): moving one position in "
        "the feature map is moving 32 pixels in the image. That is why the output has to be upsampled 32 times "
        "(FCN-32s)."
    ),
    "quiz.stride-32.why.c": (
        "The stride holds per side: 32 in height and 32 in width, that is, about 32² = 1024 times fewer "
        "positions than pixels."
    ),
    "quiz.stride-32.why.d": (
        "224/6 ≈ 37 mixes the stride up with border effects (kernels and padding that do not fit whole). "
        "The stride is exact: the product of the layers' strides, 32."
    ),
    # 02: why a convolution replaces the fully connected layer
    "quiz.conv-replaces-fc.question": (
        "Why does the FCN replace the classifier's fully connected layers with convolutions "
        "(the same computation, with the same weights)?"
    ),
    "quiz.conv-replaces-fc.right": "a",
    "quiz.conv-replaces-fc.option.a": "To apply the classifier at every position and accept any input size.",
    "quiz.conv-replaces-fc.option.b": "Because a convolution has far fewer parameters than the FC layer.",
    "quiz.conv-replaces-fc.option.c": "Because the convolution returns its output already at the image's size.",
    "quiz.conv-replaces-fc.option.d": "Because an FC layer cannot be trained by gradient descent for segmentation.",
    "quiz.conv-replaces-fc.why.a": (
        "An FC layer is a convolution whose filter covers the whole feature map. As a convolution, it slides: "
        "on a larger feature map it returns a map of scores, one vector of classes per position, instead of a "
        "single vector."
    ),
    "quiz.conv-replaces-fc.why.b": (
        "With the same weights, the count is the same (the FC layer with 9216 inputs becomes a 256×6×6 filter). "
        "The swap saves no parameters: it changes where the computation can be applied."
    ),
    "quiz.conv-replaces-fc.why.c": (
        "The convolution keeps the coarse resolution of the features (6×6 for 224×224, stride 32). Getting back "
        "to the image's size is another step: upsampling (bilinear or transposed convolution)."
    ),
    "quiz.conv-replaces-fc.why.d": (
        "An FC layer trains by gradient descent like any other layer. Its problem is different: it needs a "
        "vector of fixed size and flattens the feature map, throwing away where each thing is."
    ),
    # 02: what a skip connection adds
    "quiz.skip-adds.question": (
        "What does the skip connection (the pool1 features carried to the classifier) add to the FCN?"
    ),
    "quiz.skip-adds.right": "c",
    "quiz.skip-adds.option.a": "A larger receptive field, because the network now has more layers.",
    "quiz.skip-adds.option.b": "No need for upsampling: with the skip, the scores already come out at the image's size.",
    "quiz.skip-adds.option.c": "Features of finer resolution, which tell better where the edges are.",
    "quiz.skip-adds.option.d": "Above all a remedy for the vanishing gradient, as in ResNets.",
    "quiz.skip-adds.why.a": (
        "It is the other way round: the pool1 features have a small receptive field (19 pixels). Context comes "
        "from the deep layers; the skip brings detail, not context."
    ),
    "quiz.skip-adds.why.b": (
        "With the skip the scores come out at 27×27 (stride 8) instead of 6×6, but they still have to be "
        "upsampled 8 times to reach 224×224."
    ),
    "quiz.skip-adds.why.c": (
        "The deep layers know what is in the image; the shallow ones, at stride 8, know where the edges are. "
        "Combining the two, the final map comes out sharper and small objects survive."
    ),
    "quiz.skip-adds.why.d": (
        "The shortcut does shorten the gradient's path, but the paper's motivation is spatial detail: "
        "FCN-32s loses outlines and small objects, and the skip gives them back."
    ),
    # 03 (upsampling and losses): transposed convolution output size
    "quiz.transposed-size.question": (
        "A ConvTranspose2d(kernel_size=4, stride=2, padding=1) receives a 7×7 feature map. What size is the output?"
    ),
    "quiz.transposed-size.right": "b",
    "quiz.transposed-size.option.a": "3×3",
    "quiz.transposed-size.option.b": "14×14",
    "quiz.transposed-size.option.c": "15×15",
    "quiz.transposed-size.option.d": "16×16",
    "quiz.transposed-size.why.a": (
        "That is the arithmetic of an ordinary convolution, ⌊(7 + 2·1 − 4)/2⌋ + 1 = 3. The transposed "
        "convolution goes the other way: it enlarges."
    ),
    "quiz.transposed-size.why.b": (
        "(H − 1)·s − 2p + k = 6·2 − 2 + 4 = 14: exactly double. Kernel 2s with padding s/2 is the recipe "
        "for upsampling by s with nothing left over."
    ),
    "quiz.transposed-size.why.c": (
        "The padding is removed from both sides of the output: subtract 2p, not p. (H − 1)·s − 2p + k = 12 − 2 + 4 = 14."
    ),
    "quiz.transposed-size.why.d": (
        "The padding was left out: in the transposed convolution it trims p rows from each side of the output, "
        "12 + 4 − 2 = 14."
    ),
    # 03: what a transposed convolution initialised as bilinear does before training
    "quiz.bilinear-init.question": (
        "A ConvTranspose2d with stride 2, kernel 4, and one input and one output channel per class, is "
        "initialised with bilinear weights. Before any training, what does it do?"
    ),
    "quiz.bilinear-init.right": "a",
    "quiz.bilinear-init.option.a": "Bilinear 2× interpolation, channel by channel, without mixing classes.",
    "quiz.bilinear-init.option.b": "Nothing useful: it is only a starting point; training is what upsamples.",
    "quiz.bilinear-init.option.c": "It repeats each score in a 2×2 block (nearest neighbour).",
    "quiz.bilinear-init.option.d": "It upsamples and mixes the classes, each output an average of all the inputs.",
    "quiz.bilinear-init.why.a": (
        "With the bilinear kernel (the \"tent\" 1/4, 3/4, 3/4, 1/4 along each axis) on channel c → c and zeros "
        "between different channels, the layer already does bilinear interpolation (away from the borders, the "
        "same as F.interpolate(..., mode=\"bilinear\")). Training only adjusts it from there."
    ),
    "quiz.bilinear-init.why.b": (
        "The bilinear initialisation is a complete upsampling from the first step: even frozen, the layer "
        "already upsamples like the interpolation. Random weights, on the other hand, would start out useless."
    ),
    "quiz.bilinear-init.why.c": (
        "That is the 2×2 kernel of ones (stride 2). The bilinear kernel of side 4 overlaps its neighbours and "
        "weights by distance, which gives smooth transitions instead of blocks."
    ),
    "quiz.bilinear-init.why.d": (
        "The weights between different channels start at zero: the bus score is upsampled from the bus score, "
        "not from an average with person and background."
    ),
    # 03: median-frequency class weights
    "quiz.median-frequency.question": (
        "Background covers 75% of the pixels, person 20% and bus 5%. What are the median frequency "
        "weights, weight_c = median / freq_c?"
    ),
    "quiz.median-frequency.right": "c",
    "quiz.median-frequency.option.a": "background 0.75; person 0.20; bus 0.05",
    "quiz.median-frequency.option.b": "background 1.33; person 5; bus 20",
    "quiz.median-frequency.option.c": "background 0.27; person 1; bus 4",
    "quiz.median-frequency.option.d": "background 1/3; person 1/3; bus 1/3",
    "quiz.median-frequency.why.a": (
        "Those are the frequencies themselves: they would give even more weight to background, which already "
        "dominates the loss. The weight is the inverse of the frequency."
    ),
    "quiz.median-frequency.why.b": (
        "Those are 1/freq: the ratios between the classes are right, but they still need multiplying by the "
        "median (0.20). With it, the class of median frequency weighs 1 and the loss stays on the scale of the "
        "unweighted loss, comparable with it (with SGD, a loss 5 times larger would act like a learning rate "
        "5 times larger)."
    ),
    "quiz.median-frequency.why.c": (
        "The median is 0.20: 0.20/0.75 ≈ 0.27, 0.20/0.20 = 1 and 0.20/0.05 = 4. The typical class weighs 1, the "
        "rare ones weigh more, the common ones less, and the loss keeps its usual scale."
    ),
    "quiz.median-frequency.why.d": (
        "Equal weights balance nothing: dividing the loss by 3 only changes its scale. The weight has to "
        "depend on the frequency of each class."
    ),
    # 04 (VGG16): what pretrained weights change
    "quiz.pretrained-change.question": (
        "You train the same FCN-VGG16 twice: starting from the ImageNet weights and starting from random "
        "weights (Kaiming). What differs between the two?"
    ),
    "quiz.pretrained-change.right": "d",
    "quiz.pretrained-change.option.a": "The architecture: the pretrained version has the extra ImageNet layers.",
    "quiz.pretrained-change.option.b": "Nothing that matters: ImageNet is for classification, not segmentation.",
    "quiz.pretrained-change.option.c": (
        "The pretrained one already knows bus and person: the new classifier does not even need training."
    ),
    "quiz.pretrained-change.option.d": "Only the starting point: the backbone already extracts edges, textures and parts.",
    "quiz.pretrained-change.why.a": (
        "Both networks have exactly the same layers and the same number of parameters; only the initial "
        "values of the backbone's weights differ."
    ),
    "quiz.pretrained-change.why.b": (
        "ImageNet features (edges, textures, object parts) serve any visual task: that is transfer learning. "
        "The paper does not train from scratch only because it would take far too long."
    ),
    "quiz.pretrained-change.why.c": (
        "The score layers for the 3 classes are new and start knowing nothing; and knowing how to classify the "
        "whole image is not knowing where each pixel belongs. All the new layers need training."
    ),
    "quiz.pretrained-change.why.d": (
        "The network and the training are the same; what changes is where the backbone starts. With few images "
        "(hundreds), starting from ready-made features usually learns faster and generalises better."
    ),
    # 04 (VGG16): parameters are not what costs time
    "quiz.params-vs-compute.question": (
        "The course's FCN-VGG16 has far fewer parameters than the paper's 134 M FCN, and yet one training step "
        "takes about 21 times as long as a step of FCN-AlexNet. Why?"
    ),
    "quiz.params-vs-compute.right": "c",
    "quiz.params-vs-compute.option.a": "Because the time of a step grows with the number of parameters.",
    "quiz.params-vs-compute.option.b": "Because 3×3 filters are slower to compute than 11×11 filters.",
    "quiz.params-vs-compute.option.c": "Because the convolutions work at high resolution: that is a lot of arithmetic.",
    "quiz.params-vs-compute.option.d": "Because loading VGG16's pretrained weights takes longer.",
    "quiz.params-vs-compute.why.a": (
        "The time does not follow the number of parameters: VGG16's fc6 has over 100 M weights and costs little "
        "arithmetic (it is applied at a single position); a 3×3 convolution with few weights, applied at "
        "224×224 positions, costs a lot."
    ),
    "quiz.params-vs-compute.why.b": (
        "Each 3×3 filter does less arithmetic per position than an 11×11 one. The cost comes from how many "
        "positions and channels each layer processes: VGG16 keeps the image large for many layers."
    ),
    "quiz.params-vs-compute.why.c": (
        "The cost of a convolution is weights × output positions. VGG16 shrinks the image gradually, so "
        "13 convolutions work on large feature maps (224×224, 112×112...); AlexNet shrinks it 4 times right in "
        "the first layer."
    ),
    "quiz.params-vs-compute.why.d": (
        "The weights are loaded once, before training; the time measured is that of each training step, and it "
        "is the same with pretrained or random weights."
    ),
    # 05 (comparison): best.pt's score is optimistic
    "quiz.best-checkpoint.question": (
        "You saved best.pt at the epoch with the highest validation mIoU and report that same mIoU as the "
        "model's performance. What is the problem?"
    ),
    "quiz.best-checkpoint.right": "a",
    "quiz.best-checkpoint.option.a": "The number is optimistic: picking the maximum of many measurements uses the validation set.",
    "quiz.best-checkpoint.option.b": "None: the validation set was not used in training, so the number is honest.",
    "quiz.best-checkpoint.option.c": "best.pt is always an overfitted model.",
    "quiz.best-checkpoint.option.d": "The final mIoU should be measured on the training set.",
    "quiz.best-checkpoint.why.a": (
        "Among 50 epochs, the best one is partly the one that got lucky on those images. The set that chooses "
        "the model does not measure the chosen model: for an honest number, evaluate on a third set (test)."
    ),
    "quiz.best-checkpoint.why.b": (
        "The weights never saw the validation set, but the choice of epoch did: you took the maximum of 50 "
        "noisy measurements on the same set, and the maximum of noisy measurements is pulled upwards."
    ),
    "quiz.best-checkpoint.why.c": (
        "It is the other way round: the epoch with the best validation usually comes before overfitting. The "
        "problem is reporting the same measurement that made the choice."
    ),
    "quiz.best-checkpoint.why.d": (
        "On the training set the network memorises the images: the training mIoU is the most optimistic of "
        "all. The honest number comes from images that neither training nor the choice of model used."
    ),
    # 05: one change at a time
    "quiz.one-change.question": (
        "To find out whether learnt upsampling helps, someone compares \"AlexNet with skip, learnt upsampling "
        "and data augmentation\" with \"AlexNet without skip\". What does the improvement they see prove?"
    ),
    "quiz.one-change.right": "c",
    "quiz.one-change.option.a": "That learnt upsampling helps: it is what is new in the comparison.",
    "quiz.one-change.option.b": "That all three changes help, each one a third of the improvement.",
    "quiz.one-change.option.c": "That the package helps, but not which change: three things changed together.",
    "quiz.one-change.option.d": "Nothing, because comparisons only count on the training set.",
    "quiz.one-change.why.a": (
        "Three things changed (skip, upsampling, data augmentation); the improvement may come from the skip "
        "alone. To credit the gain to one option, change only that option and keep everything else the same."
    ),
    "quiz.one-change.why.b": (
        "The effects do not split into equal parts, nor do they add up in general: one change can help on its "
        "own and hurt together with another. Only comparisons of one change at a time can tell."
    ),
    "quiz.one-change.why.c": (
        "With three changes at once, the comparison cannot say which of them made the difference. That is why "
        "the notebook compares the new options one at a time, all on the same AlexNet with skip."
    ),
    "quiz.one-change.why.d": (
        "Comparisons are made on the validation set, with the same images for both networks; the flaw here is "
        "a different one: three changes at once."
    ),
    "markers.default_goal": "Complete this part: see the exercise's statement above.",
    "markers.answer_placeholder": "_Write your answer here._",
    "numbers.thousands_separator": ",",
    "hints.heading": "**Hints** (open one at a time, only when you need it: the next one appears inside the previous one)",
    "hints.tier": "Hint {number}",
    "hints.skeleton": "Skeleton (fill in the `...`)",
    "hints.region": "**Part {number}:** {goal}",
    # --- work-lang block: files, settings and profiles (files, config, profiles, environment) ------------------
    "files.damaged_json": (
        "{path} is not valid JSON ({error}): {what} is damaged. Delete it (it is written again on the "
        "next run) or restore it from a copy."
    ),
    "files.what.file": "the file",
    "files.what.run_description": "the run description",
    "files.what.run_outcome": "the run outcome",
    "files.what.training_history": "the training history",
    "files.what.grid_index": "the grid index",
    "profiles.full": "Pascal VOC 2012 with the settings of the original course",
    "profiles.demo": "synthetic data set, sized to show the FCN learning in a few minutes on a CPU",
    "profiles.smoke": "minimal synthetic data set: only checks that every cell runs (learns nothing)",
    "config.profile_and_smoke_disagree": (
        "course_args got profile={profile} and smoke={smoke}, which disagree; give only one of them."
    ),
    "config.unknown_profile": "unknown profile {profile}; choose one of {choices}.",
    "environment.unknown_profile": (
        "{variable}={value!r} is not a profile of the course; choose one of {choices} (for example {variable}=demo)."
    ),
    "config.unknown_settings": (
        "unknown setting(s): {unknown}. The course's settings are {known} (for example course_args(epoch_num=10))."
    ),
    "config.default_profile_reason": "default (no environment variable chose another profile)",
    "config.reason_by_hand": "chosen by hand",
    "config.data_synthetic": "synthetic data set (an imitation of VOC made by the course)",
    "config.data_voc": "Pascal VOC 2012 in {root}",
    "config.profile_line": (
        "Profile '{profile}' ({reason}): {description}.\n"
        "  data: {data}; {epochs} epochs, crops {height}x{width}, batch {batch}, lr {lr:g}, "
        "pretrained={pretrained}."
    ),
    # --- work-lang block: the comparison grid and its report (experiments, report) ----------------------------
    "grid.already_finished": "== {name}: already finished ({epochs} epochs, {status}); reusing {run_dir}",
    "grid.reused": "== {name}: trained before with the same settings in {run_dir}; not trained again",
    "grid.skipped": "== {name}: SKIPPED ({reason})",
    "grid.skipped_weights": "== {name}: SKIPPED, the ImageNet weights could not be loaded (the report says why)",
    "grid.diverged": "== {name}: DIVERGED: {error}",
    "grid.failed": "== {name}: FAILED: {error}",
    "grid.failed_reason": "{error}. Delete {run_dir} to train this configuration again from scratch.",
    "grid.finished": "== grid finished in {seconds:.0f} s: {outcomes}",
    "grid.smoke_shrunk": "smoke profile: the grid runs with {settings}",
    "grid.no_model_class": (
        "model_classes has no class for {missing}; pass for example {{'alexnet': FCN_AlexNet, 'vgg16': FCN_VGG16}}."
    ),
    "grid.notebooks_lack": (
        "{notebooks} do not define {names}; pass the notebooks where you wrote them (02 and 04; 03 holds the upsampling and the class weights) with --models."
    ),
    "grid.unknown_backbones": "error: unknown backbone(s) {unknown}; choose from {choices}",
    "grid.only_defined": "your notebooks define the FCNs of: {backbones}; the grid runs those only",
    "grid.no_local_weights": (
        "the {profile} profile never downloads: no local copy of {file} (put it in the torch hub cache or in "
        "{weights_env} to run this configuration)"
    ),
    # the grid's table (notebook 05, report.md): column headers and labels of the runs' statuses (machine values)
    "grid.column_configuration": "configuration",
    "grid.column_status": "status",
    "grid.column_best_miou": "best mIoU(fg)",
    "grid.column_best_epoch": "best epoch",
    "grid.column_final_miou": "final mIoU(fg)",
    "grid.column_dice": "Dice(fg)",
    "grid.column_pixel_accuracy": "pixel acc.",
    "grid.column_parameters": "parameters",
    "grid.column_seconds_per_epoch": "s/epoch",
    "grid.status_done": "done",
    "grid.status_skipped": "skipped",
    "grid.status_diverged": "diverged",
    "grid.status_failed": "failed",
    "grid.report_written": "report: {path}",
    "report.title": "Comparison grid: backbone x skip connections x pretrained weights",
    "report.shared_settings": (
        "Shared settings: {epochs} epochs, crops of {height}x{width} px, batch {batch}, lr {lr}, "
        "weight decay {weight_decay}, classes {classes}, max_samples {max_samples}, seed {seed}, data {root}"
    ),
    "report.profile_suffix": " (profile {profile})",
    "report.own_settings": (
        "The **{backbone}** runs used settings of their own in this profile: {settings} (compare with and "
        "without skip within a backbone, not across backbones)."
    ),
    "report.scores_explained": (
        "Scores on the validation split; mIoU(fg) = mean IoU over the classes except the background. "
        "Per-class IoU, Dice(fg) and pixel accuracy are those of the best epoch."
    ),
    "report.unfinished_heading": "Runs that did not finish",
    "report.note": "Note: {note}",
    "report.figures_heading": "Figures",
    "report.curves_alt": "learning curves",
    "report.per_class_alt": "per-class IoU",
    "report.predictions_alt": "predictions",
    "report.qualitative_not_written": "qualitative.png was not written: {error}",
    "report.no_best_checkpoint": "no finished run has a best.pt",
    "report.no_model_classes": "the grid was loaded without the model classes: pass model_classes to load_grid",
    "report.empty_validation": "the validation split is empty",
    # --- work-lang block: the student command line (__main__, experiments, predict) ---------------------------
    "cli.error": "error: {error}",
    "cli.description": (
        "Student commands of the FCN course. Run `python -m fcn_course <command> --help` to see the "
        "options of each one."
    ),
    "cli.epilog": (
        "For the instructor only: {commands} run in the course repository, as "
        "`python -m fcn_course.instructor <command>`."
    ),
    "cli.instructor_only": (
        "'{command}' is an instructor command: it is not part of the student package. In the course "
        "repository, run: python -m fcn_course.instructor {command}"
    ),
    "cli.synth": "writes the synthetic twin of VOC (offline data in the same folder layout as VOCdevkit)",
    "cli.root": "folder that will contain VOCdevkit/",
    "cli.synth_train": "number of training images (default: 32)",
    "cli.synth_val": "number of validation images (default: 12)",
    "cli.synth_seed": "the generator's seed: the same seed gives the same images (default: 0)",
    "cli.synth_written": "synthetic VOC written to {root}",
    "cli.download": "downloads and extracts Pascal VOC 2012 (about 2 GB)",
    "cli.download_root": "folder that will contain VOCdevkit/ (default: ${data_env} or ~/fcn_course_data)",
    "cli.download_replace": (
        "also extracts again the archive's files that are already in VOCdevkit/VOC2012: this overwrites "
        "VOC's own images, masks and lists (your edits of them are lost). Files and folders that are not in "
        "the archive (such as SegmentationClassAug/) are always kept. Without this option, only the missing "
        "files are added."
    ),
    "cli.voc_ready": "Pascal VOC 2012 is ready in {root}",
    "cli.grid": (
        "trains the comparison grid (backbone x skip x pretrained) with your models (--models "
        "NOTEBOOK...; default: your notebooks 02, 03 and 04 in ./notebooks)"
    ),
    "cli.predict": "segments your own images with a trained checkpoint and your models (--models NOTEBOOK...)",
    "cli.grid.description": (
        "Trains the comparison grid (backbone x skip x pretrained) with your FCN classes, your optimiser "
        "and your loss (from your notebooks 02, 03 and 04) and prints the report's table. Running it again with "
        "the same --out reuses the finished runs and resumes the interrupted ones."
    ),
    "cli.grid.profile": "run profile (default: {profile_env}, else full)",
    "cli.grid.smoke": (
        "the smoke profile, shrunk further (at most {epochs} epochs, {size} px, {images} images per "
        "split): a minute or two on a CPU"
    ),
    "cli.grid.epochs": "epochs per run (default: the profile's)",
    "cli.grid.size": "side of the square crop, in pixels (default: the profile's)",
    "cli.grid.max_samples": "use only the first N images of each split",
    "cli.grid.backbones": "comma-separated, from: {choices}",
    "cli.grid.scratch_only": "leave out the runs with pretrained weights",
    "cli.grid.out": "output folder (default: ${runs_env}/grid, or grid-smoke with --smoke)",
    "cli.grid.models": (
        "the notebooks that define your FCN classes, make_optimizer, compute_loss and make_criterion "
        "(default: {notebooks})"
    ),
    "cli.grid.quiet": "no progress bars",
    "cli.predict.description": (
        "Segments your own images with a trained FCN checkpoint; for each image it writes "
        "<file name>_mask.png (a PNG with the Pascal VOC palette) and <file name>_overlay.png, for "
        "example photo.jpg_mask.png."
    ),
    "cli.predict.checkpoint": "best.pt or last.pt written by training (engine.fit or the grid)",
    "cli.predict.images": "an image file or a folder of images",
    "cli.predict.out": "output folder (default: predictions); it cannot be the folder of the input images",
    "cli.predict.size": (
        "resize to SIZE x SIZE before the network (default: the image's own size, the scale the network "
        "was trained at: training crops are not resized)"
    ),
    "cli.predict.device": "cpu, cuda or mps (default: the fastest available)",
    "cli.predict.alpha": "opacity of the colours in the overlay",
    "cli.predict.models": "the notebooks that define your FCN classes (default: {notebooks})",
    "outline.no_model_notebooks": "no notebooks given and none found in ./{folder}: pass --models {notebooks}",
    # --- work-lang block: the reference training script (scripts/train.py) -------------------------------------
    "train.description": (
        "Trains one FCN configuration (reference solutions) on Pascal VOC or on the synthetic twin, as the "
        "profile says."
    ),
    "train.backbone": "the FCN's backbone network (default: alexnet)",
    "train.skip": "skip connections: none (FCN-32s), 8s or 16s (default: 8s)",
    "train.pretrained": "start the backbone from the ImageNet weights (default of the full profile)",
    "train.scratch": "random initialisation (default of the demo and smoke profiles)",
    "train.profile": "run profile (default: the environment's)",
    "train.smoke": "the same as --profile smoke",
    "train.epochs": "number of epochs (args['epoch_num'])",
    "train.lr": "learning rate",
    "train.size": "side of the square crop fed to the network (w_size = h_size)",
    "train.batch_size": "images per batch",
    "train.max_samples": "keep at most this many images per split",
    "train.seed": "seed of the random numbers (default: the profile's)",
    "train.download": "download Pascal VOC when it is missing",
    "train.run_dir": "folder of this run (created)",
    "train.resume": "continue the run in --run-dir from last.pt",
    "train.no_progress": "hide the progress bars",
    "train.resume_needs_run_dir": "--resume needs --run-dir (the folder that holds last.pt)",
    "train.run_exists": (
        "error: {run_dir} already holds a run: pass --resume to continue it, or choose another --run-dir "
        "(nothing was changed)"
    ),
    "train.run_folder": "run folder: {run_dir}",
    "train.data_line": "train: {train} images, validation: {val} images, device: {device}",
    "train.model_line": "{model} skip={skip} pretrained={pretrained}: {parameters} parameters",
    "train.results_in": "results in {run_dir}",
    # --- work-lang block: the instructor's command line (instructor/__main__) ----------------------------------
    "instructor_cli.description": (
        "Instructor commands: python -m fcn_course.instructor <command>, run in the course repository.\n"
        "\n"
        "  course   runs every solution notebook; executed notebooks and HTML go to a run folder\n"
        "  build    refreshes the solution notebooks from solutions/*.py and regenerates the students' ones\n"
        "  check    fails when the notebooks, their .py pairs or the student versions drifted apart\n"
        "  grade    grades notebooks handed in by students (never modifies them)\n"
        "  export-grades  grades an LMS takes (one row per student, Moodle worksheet and feedback zip)\n"
        "  release  builds the student release folder and zip (no solutions, no instructor tooling)\n"
        "  publish  the student release as a git repository of its own, to publish where students and Colab read it\n"
        "  site     the course website from the executed notebooks of a run folder\n"
        "  grid     the comparison grid with the reference models (or a student's, with --models)\n"
        "  predict  segments images with a checkpoint and the reference models (or --models NOTEBOOK...)\n"
        "\n"
        "Run python -m fcn_course.instructor <command> --help to see the options of each one."
    ),
    "instructor_cli.lang": "language of the reports, of the CSV labels and of the checks' feedback (default: {default})",
    "instructor_cli.course": "runs every solution notebook; executed notebooks and HTML go to a run folder",
    "instructor_cli.course.profile": (
        "run profile (default: full when Pascal VOC is found, else demo: the synthetic twin, "
        "sized to show the FCNs learning in minutes on a CPU)"
    ),
    "instructor_cli.course.smoke": (
        "the same as --profile smoke: minimal settings, every cell runs in seconds, nothing is learnt"
    ),
    "instructor_cli.course.out": "run folder (default: runs/course-<date and time>)",
    "instructor_cli.course.no_site": "do not build the course website at the end (see the site command)",
    "instructor_cli.course.cell_timeout": (
        "stop a notebook whose cell runs longer than this (default: no limit, so that a slow or busy "
        "machine still finishes the course)"
    ),
    "instructor_cli.course.lang": (
        "the language of the notebooks run: solutions/notebooks/ for pt_BR, solutions/notebooks/<language>/ for "
        "a translation, executed into <run folder>/<language>/ (default: {default})"
    ),
    "instructor_cli.build": "refreshes the solution notebooks from solutions/*.py and regenerates the student notebooks",
    "instructor_cli.build.execute": "re-execute the solution notebooks (smoke) to refresh the checked outputs",
    "instructor_cli.build.force": "overwrite student notebooks edited by hand (a backup is kept)",
    "instructor_cli.translations": "writes the catalogues a translator fills in (solutions/locale/<language>/*.po)",
    "instructor_cli.translations.description": (
        "Reads the solution notebooks and writes, for the language asked, one gettext catalogue per notebook in "
        "solutions/locale/<language>/, and one per students' page (README.md, referencia.md) in "
        "solutions/locale/<language>/pages/: new pieces of prose are left empty, the ones whose Portuguese changed are "
        "marked 'fuzzy' with the old translation beside them. Open the files in a translation editor (Poedit, "
        "Weblate) or a text editor, translate, remove the 'fuzzy' flag and run the build. Exits with 1 while a "
        "translation is missing."
    ),
    "instructor_cli.translations.line": "{path}: {total} pieces, {missing} untranslated, {stale} stale",
    "instructor_cli.build_refused": "build refused, nothing was written: {error}",
    "instructor_cli.check": "fails when the notebooks, their .py pairs or the student versions drifted apart",
    "instructor_cli.in_sync": "notebooks in sync",
    "instructor_cli.out_of_sync": "{count} problem(s); each one says how to fix it (most often: run `{prog} build`)",
    "instructor_cli.grade": "grades notebooks handed in by students (never modifies them)",
    "instructor_cli.grade.description": (
        "Grades student notebooks: files, or folders searched for .ipynb. Each submission RUNS STUDENT "
        "CODE in a process of its own (limits on time, memory, CPU, file size and processes, temporary HOME "
        "and working folder, minimal environment, smoke mode; inside a bubblewrap sandbox where one works). "
        "One Markdown report per submission and a class CSV (grades.csv) go to --report-dir. Exit status 1 "
        "when any submission has a failed exercise, an unreadable file, a crash, a time-out or a reason for "
        "manual review (see --exit-zero); 2 when nothing was graded (a path does not exist, the report folder "
        "is refused or locked)."
    ),
    "instructor_cli.grade.submissions": "notebooks or folders of notebooks",
    "instructor_cli.grade.report_dir": "folder for the reports and grades.csv, created if missing (default: grading-reports)",
    "instructor_cli.grade.replace": (
        "replace the grades and reports of an earlier grading in --report-dir (refused without this option)"
    ),
    "instructor_cli.grade.timeout": (
        "seconds of CPU time allowed per submission, tried twice before a time-out is reported "
        "(default: 300, fcn_course.instructor.grade.DEFAULT_TIMEOUT; a wall-clock backstop of 4 times "
        "that stops a submission that waits without computing)"
    ),
    "instructor_cli.grade.jobs": "submissions graded at the same time (default: 1)",
    "instructor_cli.grade.sandbox": (
        "bwrap: no network, read-only files except the grading's temporary folder, the class folders "
        "hidden; none: the limits and the Python-level guard only; auto (default): bwrap when it works here"
    ),
    "instructor_cli.grade.no_zygote": (
        "start a new Python process for every submission instead of forking it from a pre-imported one, the zygote (Linux; with bwrap the zygote runs in the sandbox; saves ~6 s of CPU per submission)"
    ),
    "instructor_cli.grade.memory_limit": "address space allowed per submission, in GiB (default: 8; 0: no limit)",
    "instructor_cli.grade.exit_zero": "exit 0 even when some submission failed (for scripts that only want the reports)",
    "instructor_cli.grade.lang": (
        "language of every report and of the checks' feedback (default: each submission's own language, the "
        "one its Colab set-up cell gives FCN_COURSE_LANG; {default} when it gives none)"
    ),
    "instructor_cli.graded": (
        "{count} submission(s) graded, {problems} with a failed exercise, an error or a reason for manual "
        "review; reports and {csv} in {folder}"
    ),
    "instructor_cli.export": "grades an LMS takes: one row per student, Moodle worksheet, feedback",
    "instructor_cli.export.description": (
        "Reads REPORT_DIR/grades.csv (written by grade) and writes into REPORT_DIR/lms: students.csv (one "
        "row per student, numeric grade from the exercise weights), moodle_grading_worksheet.csv (Moodle's "
        "'Upload grading worksheet') and moodle_feedback_files.zip (Moodle's 'Upload multiple feedback files "
        "in a zip') when the submissions came from Moodle's download, and feedback/<student>/. See "
        "fcn_course/instructor/lms.py and the README."
    ),
    "instructor_cli.export.report_dir": "the --report-dir of grade (holds grades.csv and the reports)",
    "instructor_cli.export.out": "output folder (default: REPORT_DIR/lms)",
    "instructor_cli.export.roster": "roster CSV: id (required), name, email, match (text in the student's paths)",
    "instructor_cli.export.weights": "points per exercise: CSV 'exercise,points' or JSON {{exercise: points}}",
    "instructor_cli.export.weight": "points of one exercise (repeatable; applies after --weights); default: the registry's points",
    "instructor_cli.export.notebooks": "comma-separated course notebooks that count (default: those handed in)",
    "instructor_cli.export.scale": "the grade of full marks (default: 10)",
    "instructor_cli.export.excel": "students.csv for Excel in Portuguese: ';' separator, decimal comma, UTF-8 with BOM",
    "instructor_cli.export.moodle_worksheet": (
        "the grading worksheet downloaded from the Moodle assignment: filled in, not written anew"
    ),
    "instructor_cli.export.grade_column": "the worksheet's grade column (default: Grade, Nota...)",
    "instructor_cli.release": "builds the student release folder and zip (no solutions, no instructor tooling)",
    "instructor_cli.release.out": (
        "output folder (default: dist/fcn-course-student in the repository; dist/fcn-course-student-<language> "
        "with the --lang of another language)"
    ),
    "instructor_cli.release.nbgrader": "also write an nbgrader course folder: DIR/source/<notebook>/<notebook>.ipynb",
    "instructor_cli.released": "student release: {folder}",
    "instructor_cli.release_refused": "release refused: {error}",
    "instructor_cli.nbgrader_refused": "nbgrader export refused: {error}",
    "instructor_cli.release.lang": (
        "the language of the student release: its notebooks, README and reference page, at the places of "
        "the Portuguese notebooks/ (default: {default}); with --nbgrader, the exported notebooks' language too"
    ),
    # The text of the marker file in every release folder (release.RELEASE_MARKER), in the release's language.
    "release.marker_file": (
        "This folder was written by `python -m fcn_course.instructor release`; the next release replaces it.\n"
        "Do not keep your own files here.\n"
    ),
    # nbgrader replaces a solution region by its own stub; this comment keeps the region's goal above it.
    "nbgrader.goal_comment": "# Goal: {goal}",
    "instructor_cli.publish": "the student release as a git repository of its own (no solutions/)",
    "instructor_cli.publish.description": (
        "Builds the student release (as release does: leak scan, notebooks up to date) and commits exactly "
        "its files in FOLDER, a git repository of its own: new or empty the first time, then the folder of "
        "the previous publication. Every translated edition goes with it, in notebooks/<language>/, where its "
        "notebooks' Colab badge opens them. Nothing is pushed: the commands to push it are printed."
    ),
    "instructor_cli.publish.folder": "the student repository (a new folder the first time)",
    "instructor_cli.publish.repository": (
        "the GitHub repository you will push to: refused unless the notebooks' Colab badge and set-up "
        "cell name it (REPOSITORY in fcn_course/colab.py, then build)"
    ),
    "instructor_cli.publish_refused": "publish refused: {error}",
    "instructor_cli.site": "the course website from the executed notebooks of a run folder",
    "instructor_cli.site.from": "a main-job run folder (default: the newest finished runs/course-*)",
    "instructor_cli.site.instructor": "the instructor's site: solutions and rubric included (never publish it to students)",
    "instructor_cli.site.out": "output folder (default: RUN_FOLDER/site or RUN_FOLDER/site-instructor)",
    "instructor_cli.site_not_built": "site not built: {error}",
    "instructor_cli.grid": "comparison grid with the reference models (or --models NOTEBOOK...)",
    "instructor_cli.predict": "segments images with a checkpoint and the reference models",
    # --- work-lang block: the instructor's summary of export-grades (instructor/lms) ----------------------------
    "lms.students": "{count} student(s): {path}",
    "lms.not_handed_in": "not handed in",
    "lms.points": "{points} of {maximum} points",
    "lms.worksheet": "Moodle grading worksheet ({rows} row(s) with a grade): {path}",
    "lms.feedback_zip": "Moodle feedback files zip: {path}",
    "lms.feedback_dir": "reports per student: {path}",
    "lms.unmatched": "not in the roster (graded under their own names): {names}",
    # The main job (fcn_course/instructor/course.py): what the instructor reads while the course runs
    "course.not_run": "!! the course was not run: {reason}",
    "course.refused": "!! the course was not run: {reason}\nNothing was run or written.",
    "course.data_voc": "Pascal VOC in {root}",
    "course.data_synthetic": "the synthetic VOC twin",
    "course.cell_limit": "{seconds} s per cell",
    "course.no_cell_limit": "no time limit per cell",
    "course.start": ">> running the solution course with the '{profile}' profile ({description}; {data}; {limit}); results go to {out}",
    "course.notebook_start": ">> [{number}/{total}] {name} ...",
    "course.notebook_failed": "!! {name} failed: {error}",
    "course.notebook_done": "   done in {took} s (course so far {so_far} s) -> {path} (+ .html)",
    "course.finished": ">> course finished in {took} s; open {out} to read the executed notebooks",
    "course.slow_no_limit": "Cells have no time limit, so it will finish",
    "course.slow_limit": "Cells stop after {seconds} s (--cell-timeout): leave the option out to let every cell finish",
    "course.slow_machine": "!! this machine is about {ratio}x slower than the reference machine ({name} took {took} s here, {expected} s on a 2-core CPU). At this pace the whole course takes about {minutes} min instead of {reference_minutes}. {limit}; close other programs to go faster, or run --profile smoke for a quick check that every cell runs.",
    "course.site_start": ">> building the course website (student version) ...",
    "course.site_failed": "!! the course website was not built: {error}",
    "course.summary_heading": ">> validation results of every run of the course (best epoch; smoke-profile figures mean nothing):",
    "course.summary_header": "   | run | best epoch | mIoU(fg) | IoU per class |",
    "course.skip_gain": "   skip gain {run}: {gain} mIoU(fg) ({without} -> {with_skip})",
}
