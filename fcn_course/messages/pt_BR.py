"""Brazilian Portuguese: every sentence students and instructors read (see ``fcn_course.messages``).

Keys are grouped by area, one section per area, in the order of the package's layers; keep each new key in
its area's section. Values are ``str.format`` templates: ``{name}`` is filled in by the caller, ``{{`` and
``}}`` print braces.
"""

MESSAGES = {
    # --- settings, profiles and environment (config, environment) -------------------------------------------

    # --- files the course writes (files) -----------------------------------------------------------------------
    "files.disk_full": ("o disco está cheio: não foi possível gravar {path}. Nada ficou gravado pela metade ({path} "
                        "continua como estava). Libere espaço em {folder} (ou escolha outra pasta) e rode de novo."),
    "files.no_permission": ("sem permissão para gravar {path} ({error}). Nada foi alterado: escolha uma pasta em "
                            "que você possa escrever, ou corrija as permissões dela."),
    "files.not_a_folder": ("{path} é um arquivo, não uma pasta: a saída precisa de uma pasta. Nada foi alterado; "
                           "escolha outra pasta de saída."),
    "files.link": "{path} é um link simbólico: {owner} nunca grava através de links",
    "files.not_ours": "{path} já existe e não foi gravado por {owner}",
    "files.refused": ("{count} arquivo(s) de {folder} seriam sobrescritos, e não são desta ferramenta:\n  {problems}\n"
                      "Nada foi alterado. Mova esses arquivos para outro lugar, ou escolha outra pasta de saída "
                      "(uma pasta nova ou vazia)."),

    # --- data (data, download, synthetic, voc) -----------------------------------------------------------------

    "data.mask_unknown_indices": ("{path} tem pixels com o(s) valor(es) {values}, que não são classes do Pascal VOC "
                                  "(0 a {last}) nem void (255)"),
    "data.mask_size": ("{mask} tem {mask_size} pixels (largura x altura), mas a foto {image} tem {image_size}: a "
                       "máscara precisa ter o tamanho da sua foto"),
    "data.bad_masks": ("{count} de {total} máscara(s) listadas em {split} não são máscaras de classes do Pascal VOC "
                       "da sua foto:\n  {problems}\nUma máscara de VOC é um PNG de paleta com o índice da classe "
                       "de cada pixel, do tamanho da foto (uma máscara de instâncias de SegmentationObject ou uma "
                       "imagem editada e redimensionada não serve). Corrija ou substitua esses arquivos "
                       "(download_voc(root, replace=True) restaura os arquivos do VOC), ou tire os ids deles da "
                       "lista."),

    # --- the run folder, training and predictions (runs, engine, predict, experiments, report) ---------------

    "runs.unknown_format": ("{path} está no formato {found}, mas esta versão do curso lê o formato {known}: a pasta "
                            "foi escrita por outra versão do curso (mais nova?). Nada foi alterado. Atualize o curso "
                            "(git pull, ou baixe a versão nova) para continuar esta execução, ou treine com esta "
                            "versão numa pasta nova."),
    "predict.too_many_pixels": ("{path} diz ter pixels demais para abrir com segurança ({error}): pode ser uma "
                                "imagem corrompida ou feita para travar o computador. Reduza a foto (por exemplo "
                                "para uns 500 pixels de lado) e tente de novo."),

    # --- figures (plots) ---------------------------------------------------------------------------------------

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
