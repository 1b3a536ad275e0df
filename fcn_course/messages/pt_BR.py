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
    "checks.feedback.note": "   ℹ️ nota: {note}",
    "checks.feedback.weights_requested": (
        "o seu código pediu os pesos do ImageNet{where}, mas a verificação criou o modelo com pretrained=False: "
        "repasse o argumento pretrained ao carregador do backbone (`load_alexnet(pretrained)`), sem fixar True."),
    "checks.feedback.undecided": ("não consegui terminar esta verificação: {error}. Confira o que o seu código "
                                  "devolve (tipo e formato); se tudo parecer certo, mostre esta mensagem ao monitor."),
    "checks.feedback.inplace": (
        "{what}: uma operação in-place (como `p[mascara] = 0`, `p *= valido` ou `masked_fill_`) alterou um tensor "
        "de que o gradiente precisa{where}. Use a versão que cria um tensor novo: `p = p * valido` ou "
        "`p.masked_fill(...)` (sem o `_`)."),
    "checks.feedback.not_a_course_backbone": "{weights} não é um backbone do curso: use um dos registrados ({names}).",

    # Exercício 0 (checks/metrics.py)
    "checks.metrics.case_common": "uma matriz 3x3 comum",
    "checks.metrics.case_absent": "uma classe ausente (linha e coluna zeradas)",
    "checks.metrics.case_perfect": "predição perfeita",
    "checks.metrics.case_never_right": "uma classe presente que nunca é acertada ([[5, 1], [3, 0]])",
    "checks.metrics.case_only_predicted": "uma classe predita que não está em nenhum rótulo ([[4, 2], [0, 0]])",
    "checks.metrics.case_random": "uma matriz {n}x{n} sorteada (com linhas ou colunas zeradas)",
    "checks.metrics.with_case": "com {case}",
    "checks.metrics.return_pair": "a função deve devolver o par (iou, dice): `return iou, dice`.",
    "checks.metrics.not_numbers": "{label} com {case}: esperado um array de números, veio {kind}.",
    "checks.metrics.wrong_shape": "{label} com {case}: esperado um valor por classe {expected}, veio {shape}.{hint}",
    "checks.metrics.hint_any_class_count": (" A função deve servir para qualquer número de classes: use "
                                            "len(matrix), não um número fixo."),
    "checks.metrics.wrong_values": "{label} com {case}: esperado {expected}, veio {value}. Dica: {hint}",
    "checks.metrics.hint_nan_for_absent": ("para uma classe que não aparece nem no rótulo nem na predição, devolva "
                                           "NaN (0/0), não 0 nem 1."),
    "checks.metrics.hint_zero_not_nan": (
        "uma classe que aparece no rótulo ou na predição mas nunca é acertada (TP = 0) tem {label} 0, não NaN; "
        "NaN só quando TP + FP + FN = 0 (a classe não aparece em lugar nenhum)."),
    "checks.metrics.formula_iou": "IoU = TP/(TP+FP+FN)",
    "checks.metrics.formula_dice": "Dice = 2TP/(2TP+FP+FN) (o TP conta duas vezes)",
    "checks.metrics.hint_swapped": ("os valores parecem trocados: devolva primeiro a IoU e depois o Dice "
                                    "(`return iou, dice`)."),
    "checks.metrics.hint_recall": ("isso é a recall de cada classe, TP/(TP+FN): falta o FP no denominador (o erro "
                                   "do notebook original); {formula}."),
    "checks.metrics.hint_precision": ("isso é a precisão de cada classe, TP/(TP+FP): falta o FN no denominador; "
                                      "{formula}."),
    "checks.metrics.hint_twice_iou": "Dice não é 2·IoU: Dice = 2TP/(2TP+FP+FN) (o que equivale a 2·IoU/(1+IoU)).",
    "checks.metrics.hint_integer_division": ("parece divisão inteira (//), que arredonda para baixo: use a divisão "
                                             "comum (/); {formula}."),
    "checks.metrics.hint_formula": ("{formula}; linhas = classe real, colunas = classe predita; FP soma a coluna e "
                                    "FN soma a linha (sem o TP)."),

    # Exercício 5 (checks/losses.py): class weights
    "checks.losses.hint_length": " Não fixe 3 classes: um peso para cada contagem de pixel_counts (len(pixel_counts)).",
    "checks.losses.weights_form": ("devolva um tensor float com um peso por classe (formato [{length}]); veio "
                                   "{kind} {shape}.{hint}"),
    "checks.losses.weights_dtype": (
        "os pesos vieram em {dtype}; devolva float32 (`weights.float()`): o notebook 04 os passa a "
        "nn.CrossEntropyLoss(weight=...), que com escores float32 falha com \"expected scalar type Float but found "
        "Double\"."),
    "checks.losses.absent_class_weight": ("uma classe sem nenhum pixel deve receber peso 0 (e nada de inf ou nan): "
                                          "veio {weights}. Calcule a mediana só das frequências > 0."),
    "checks.losses.inverse_order": (
        "{call}: a classe mais frequente recebeu peso maior ou igual ao da mais rara: {weights}. O peso deve ser "
        "inversamente proporcional à frequência (mediana / freq)."),
    "checks.losses.wrong_weights": "para {call} esperava pesos {expected}; veio {weights}. {hint}",
    "checks.losses.hint_median_of_present": ("A mediana deve ser tomada só sobre as classes presentes (frequência "
                                             "> 0): uma classe sem pixels não entra na mediana."),
    "checks.losses.hint_mean_not_median": "Parece a média das frequências: use a mediana (torch.median ou np.median).",
    "checks.losses.hint_divide_by_median": ("Os pesos estão na proporção certa, mas falta dividir pela mediana das "
                                            "frequências: a classe de frequência mediana deve receber peso 1."),
    "checks.losses.hint_weights_formula": ("Calcule freq = contagens / total e peso = mediana(freq) / freq, com a "
                                           "mediana só das classes presentes."),
    # Exercício 5 (checks/losses.py): Dice loss
    "checks.losses.dice_not_scalar": ("devolva um único número (tensor escalar): a média do Dice sobre as classes, "
                                      "não {shape}."),
    "checks.losses.dice_no_gradient": ("a perda não tem gradiente: use probabilidades (softmax nos canais), nunca "
                                       "argmax, e não chame .item() nem .detach()."),
    "checks.losses.dice_null_gradient": "o gradiente da perda em relação aos escores é nulo ou não finito.",
    "checks.losses.dice_void": ("os pixels void (255) influenciaram a perda: zere probabilidades e alvos nesses "
                                "pixels (e troque 255 por uma classe válida antes do one-hot)."),
    "checks.losses.dice_softmax_axis": (
        "a perda muda quando se soma a mesma constante a todas as classes de um pixel, o que não acontece com "
        "softmax nos canais: aplique softmax no eixo das classes, outputs.softmax(dim=1) (não em outro eixo, nem "
        "sigmoid, nem os escores brutos)."),
    "checks.losses.dice_case": "{classes} classes",
    "checks.losses.hint_class_count": " Com 3 classes funcionou: não fixe o número de classes, use outputs.shape[1].",
    "checks.losses.dice_range": ("a perda de Dice fica entre 0 e 1, veio {value:.4f}: Dice = 2·interseção / (soma "
                                 "de p + soma de g), por classe; a perda é 1 - média."),
    "checks.losses.dice_sum_of_classes": ("a perda ficou negativa ({value:.4f}): tire a média do Dice entre as "
                                          "classes (.mean()), não a soma."),
    "checks.losses.dice_perfect": ("com a predição perfeita a perda deveria ser ≈ 0, veio {value:.4f}: Dice = "
                                   "2·interseção / (soma de p + soma de g), por classe; a perda é 1 - média."),
    "checks.losses.dice_worst": "com a predição toda errada a perda deveria ser ≈ 1, veio {value:.4f}.",
    "checks.losses.dice_lumped": (
        "com uma classe grande certa e duas pequenas trocadas a perda deveria ser ≈ 0.67 (Dice 1, 0 e 0: média "
        "1/3), veio {value:.3f}: calcule um Dice por classe, somando sobre lote e pixels (dim=(0, 2, 3)), e tire a "
        "média entre as classes; somando todas as classes juntas, a classe grande domina."),
    "checks.losses.dice_per_class": (
        "com uma classe grande certa e duas pequenas trocadas a perda deveria ser ≈ 0.67 (Dice 1, 0 e 0: média "
        "1/3), veio {value:.3f}: Dice por classe = 2·Σ(p·g) / (Σp + Σg) somando sobre lote e pixels; a perda é "
        "1 - a média entre as classes."),

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
