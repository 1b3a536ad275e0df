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

    # --- notebooks and definitions (definitions, widgets, colab) -----------------------------------------------
    "colab.install_failed": ("Não consegui instalar o curso de {url} (a mensagem do pip, acima, diz por quê). "
                             "Confira a conexão com a internet e se esse endereço abre no navegador: o Colab "
                             "não instala de um repositório privado. Depois rode esta célula de novo."),

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
