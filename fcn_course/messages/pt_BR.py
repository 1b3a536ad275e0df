"""Brazilian Portuguese: every sentence students and instructors read (see ``fcn_course.messages``).

Keys are grouped by area, one section per area, in the order of the package's layers; keep each new key in
its area's section. Values are ``str.format`` templates: ``{name}`` is filled in by the caller, ``{{`` and
``}}`` print braces.
"""

MESSAGES = {
    # --- settings, profiles and environment (config, environment) -------------------------------------------

    # --- data (data, download, synthetic, voc) -----------------------------------------------------------------

    # --- the run folder, training and predictions (runs, engine, predict, experiments, report) ---------------

    # --- figures (plots) ---------------------------------------------------------------------------------------
    "figures.void": "void (ignorado)",
    "figures.epoch": "época",
    "figures.epoch_title": "época {epoch}",
    "figures.best_epoch_iou": "IoU (melhor época)",
    "figures.column.image": "Imagem",
    "figures.column.label": "Rótulo",
    "figures.column.overlay": "Sobreposição",
    "figures.column.prediction": "Predição",
    "figures.column.ground_truth": "Rótulo verdadeiro",
    "figures.samples.item": "item {index}",
    "figures.pixel_frequencies.ylabel": "fração dos pixels",
    "figures.pixel_frequencies.title": "Frequência de cada classe nos pixels de treino (void fora)",
    "figures.metric.loss_mean": "Loss (média ± desvio padrão)",
    "figures.metric.miou_fg": "mIoU sem o fundo",
    "figures.metric.miou": "mIoU (todas as classes)",
    "figures.metric.mdice": "Dice médio",
    "figures.metric.pixel_acc": "Acurácia de pixels",
    "figures.metric.time": "Tempo por época (s)",
    "figures.phase.train": "treino",
    "figures.phase.val": "validação",
    "figures.grid.miou_title": "mIoU de validação (sem o fundo)",
    "figures.grid.loss_title": "perda de treino",
    "figures.grid.loss_ylabel": "entropia cruzada",
    "figures.grid.no_runs": "nenhuma configuração treinada",
    "figures.per_class_iou.title": "IoU por classe e configuração",
    "figures.prediction_rows.image": "imagem",
    "figures.prediction_rows.ground_truth": "rótulo verdadeiro",
    "figures.prediction_rows.title": ("Imagens de validação: rótulo verdadeiro e predição de cada configuração "
                                      "(best.pt)"),
    "figures.confusion.title": "Matriz de confusão",
    "figures.confusion.predicted": "classe prevista",
    "figures.confusion.true": "classe verdadeira",
    "figures.confusion.colorbar": "fração dos pixels da classe verdadeira",
    "figures.options.miou_xlabel": "mIoU(fg) de validação (melhor época)",
    "figures.options.miou_title": "Cada opção, uma mudança",
    "figures.options.iou_title": "IoU por classe",
    "figures.iou.poor": "Ruim",
    "figures.iou.good": "Boa",
    "figures.iou.excellent": "Excelente",
    "figures.iou.truth_box": "A: rótulo verdadeiro",
    "figures.iou.prediction_box": "B: predição",
    "figures.iou.title": "IoU = |A ∩ B| / |A ∪ B|   (1 = sobreposição perfeita, 0 = nenhuma)",
    "figures.diagram.input_224": "imagem\n3×224×224",
    "figures.diagram.backbone": "backbone pré-treinado (camadas convolucionais da CNN)",
    "figures.diagram.classifier_1x1": "classificador\nconv 1×1\nC classes, {size}×{size}",
    "figures.diagram.upsampling": "upsampling\nbilinear\n{source}×{source} → {target}×{target}",
    "figures.diagram.scores": "escores por\npixel\nC×224×224",
    "figures.diagram.title_noskip": ("FCN sem skip connection (FCN-32s): prever em {size}×{size} e ampliar até "
                                     "224×224"),
    "figures.diagram.concatenate": "concatenar\nno eixo dos\ncanais ({size}×{size})",
    "figures.diagram.skip": "skip connection:\nfeatures de {stage} ({size}×{size})\n(com {stage16}: FCN-16s)",
    "figures.diagram.classifier": "classificador\nconvolucional\nC classes",
    "figures.diagram.scores_skip": "escores\npor pixel\nC×224×224",
    "figures.diagram.title_skip": ("FCN com skip connection (estilo FCN-8s): junta o detalhe de {stage} com a "
                                   "semântica de {deepest}"),
    "figures.cnn_to_fcn.image": "imagem\n224×224",
    "figures.cnn_to_fcn.convolutions": "camadas\nconvolucionais\n256×6×6",
    "figures.cnn_to_fcn.flatten": "achatar\n(flatten)\n9216",
    "figures.cnn_to_fcn.one_label": "um rótulo\npor imagem:\n\"ônibus\"",
    "figures.cnn_to_fcn.title_cnn": "CNN de classificação: rotulação esparsa (um rótulo para a imagem inteira)",
    "figures.cnn_to_fcn.image_any": "imagem\nH×W",
    "figures.cnn_to_fcn.same_convolutions": "as mesmas camadas\nconvolucionais\n256×H/32×W/32",
    "figures.cnn_to_fcn.classifier": "classificador\nconvolucional (1×1)\nC×H/32×W/32",
    "figures.cnn_to_fcn.upsampling": "upsampling\nbilinear\nC×H×W",
    "figures.cnn_to_fcn.label_per_pixel": "um rótulo\npor pixel",
    "figures.cnn_to_fcn.title_fcn": "FCN: rotulação densa (as camadas FC viram convoluções)",
    "figures.bilinear.scores": "escores 4×4\n(saída da rede)",
    "figures.bilinear.nearest": "vizinho mais próximo ×{scale}\n(blocos)",
    "figures.bilinear.bilinear": "bilinear ×{scale}\n(transições suaves)",
    "figures.bilinear.colorbar": "escore da classe",
    "figures.bilinear.title": "F.interpolate: ampliando um mapa de escores",
    "figures.checkerboard.bilinear": "kernel bilinear {size}×{size}, stride {stride}",
    "figures.checkerboard.uniform": "kernel 3×3 uniforme, stride 2\n(3 não é múltiplo de 2)",
    "figures.checkerboard.random": "kernel {size}×{size} aleatório, stride {stride}",
    "figures.checkerboard.input": "entrada constante 8×8",
    "figures.checkerboard.panel": "{title}\nmín {low:.2f}, máx {high:.2f}",
    "figures.checkerboard.title": ("Convolução transposta numa imagem constante: o padrão de xadrez "
                                   "(bordas cortadas)"),
    "figures.label_interpolation.original": "rótulo original",
    "figures.label_interpolation.nearest": "vizinho mais próximo (certo)",
    "figures.label_interpolation.bilinear": "bilinear, arredondado (errado;\nnão-classes em cor de void)",
    "figures.label_interpolation.invented": "pixels com índice inventado: {count}",
    "figures.label_interpolation.title": "Redimensionando um rótulo ×{factor:g}: nunca interpole índices de classe",

    # --- notebooks and definitions (definitions, widgets, colab) -----------------------------------------------

    # --- self-checks (checks/) ---------------------------------------------------------------------------------
    "checks.exercise_title": "Exercício {number} ({title})",
    "checks.passed": "✅ {title}: tudo certo!",
    "checks.failed": "❌ {title}:",
    "checks.finish_first": "Termine o {title} antes de seguir: {stub}",
    "checks.optional_stub": "   (exercício opcional: o resto do notebook roda sem ele; volte a ele quando quiser.)",
    "checks.not_implemented": "ainda não implementado ({hint})",
    "checks.not_implemented_default": "complete o trecho marcado",
    "checks.student_error": "seu código gerou {error_type}: {error}{where}",
    "checks.error_where": " ({where}: `{line}`)",
    "checks.where_loaded_cell": "célula {cell} de {notebook}, linha {line}",
    "checks.where_ipython_cell": "célula [{cell}], linha {line}",
    "checks.where_your_cell": "linha {line} da sua célula",
    "checks.where_file": "{file}, linha {line}",
    "checks.missing_names": ("não encontrei {names} no notebook {notebook}.ipynb (a célula do exercício {number} "
                             "foi apagada, renomeada ou não roda?)."),
    "checks.fcn_unknown_backbone": ("não reconheci o backbone de {name}: use um dos nomes de classe do curso "
                                    "({names}) ou chame check_fcn(..., backbone='alexnet')."),
    "checks.unknown_exercise": "não há exercício {key!r} no curso; os exercícios são: {keys}.",

    # --- exercise titles (the number is added by checks.exercise_title) ----------------------------------------
    "exercise.iou": "IoU e Dice a partir da matriz de confusão",
    "exercise.alexnet-noskip": "FCN-AlexNet sem skip",
    "exercise.alexnet-skip": "FCN-AlexNet com skip",
    "exercise.optimizer": "otimizador: quatro casos pretrained × skip",
    "exercise.loss": "função de perda: entropia cruzada nos pixels achatados",
    "exercise.training": "treino e validação com as suas peças",
    "exercise.upsampler": "upsampling aprendido: ConvTranspose2d iniciada como bilinear",
    "exercise.class-weights": "pesos das classes: balanceamento pela mediana das frequências",
    "exercise.dice-loss": "perda de Dice",
    "exercise.vgg16-noskip": "FCN-VGG16 sem skip",
    "exercise.vgg16-skip": "FCN-VGG16 com skip",
    "exercise.vgg16-scoresum": "FCN-8s do artigo: soma dos escores de pool3, pool4 e pool5",
    "exercise.fcn_extra_backbone": "FCN-{backbone} {skip}",
    "exercise.with_skip": "com skip",
    "exercise.without_skip": "sem skip",

    # --- instructor wing: build, grade, release, site, nbgrader (instructor/) --------------------------------
}
